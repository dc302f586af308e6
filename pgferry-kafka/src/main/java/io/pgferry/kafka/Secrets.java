package io.pgferry.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The secrets among a target's producer settings (passwords, JAAS configurations, keys, tokens), and their masking
 * in messages that did not come from pgferry: the Kafka clients do not print them, but an error message of theirs
 * could quote a setting, and it must not reach a log.
 */
final class Secrets {
    static final String MASK = "****";

    private Secrets() {}

    /** Whether a producer setting's value is to be treated as a secret. */
    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("jaas")
                || k.contains("secret")
                || k.contains("token")
                || k.contains("credential")
                || k.endsWith(".key")
                || k.contains("keystore.certificate.chain");
    }

    static Collection<String> values(KafkaTarget target) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : target.producerProperties().entrySet()) {
            if (isSecret(e.getKey()) && !e.getValue().isEmpty()) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    static String mask(String message, Collection<String> secrets) {
        String out = message;
        for (String s : secrets) {
            out = out.replace(s, MASK);
        }
        return out;
    }

    /**
     * {@code e} itself when no message of its causes quotes a secret; else a copy of the chain with the secrets
     * masked, each link a {@link Masked} naming the class it stands for, with its stack trace.
     */
    static Throwable scrub(Throwable e, Collection<String> secrets) {
        if (secrets.isEmpty() || !quotes(e, secrets)) {
            return e;
        }
        Throwable cause = e.getCause() == null || e.getCause() == e ? null : scrub(e.getCause(), secrets);
        String message = e.getMessage() == null ? "" : ": " + mask(e.getMessage(), secrets);
        Masked copy = new Masked(e.getClass().getName() + message, cause);
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }

    private static boolean quotes(Throwable e, Collection<String> secrets) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && secrets.stream().anyMatch(m::contains)) {
                return true;
            }
        }
        return false;
    }

    /** An exception whose message quoted a secret, with the secret masked. */
    static final class Masked extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Masked(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
