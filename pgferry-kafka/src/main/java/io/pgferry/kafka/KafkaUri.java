package io.pgferry.kafka;

import io.pgferry.core.PgFerryException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Parses a Kafka target URI, {@code kafka://host:9092[,host:9092][?key=value&...]}. Done by hand rather than with
 * {@link java.net.URI}, whose errors quote the whole input: a URI may carry secrets ({@code
 * producer.ssl.keystore.password=...}), and no message here quotes a {@code producer.*} value or anything that could
 * be one.
 */
final class KafkaUri {
    static final String SCHEME = "kafka://";
    static final String KNOWN = "topic.prefix, delivery, tombstones, transaction.metadata, schemas,"
            + " transaction.per.source.transaction, producer.config, producer.<producer setting>";

    /** The option naming a file of producer settings, as Kafka's own tools take {@code --producer.config FILE}. */
    static final String CONFIG_FILE = "producer.config";

    private KafkaUri() {}

    static KafkaTarget.Builder parse(String uri) {
        if (uri == null || !uri.startsWith(SCHEME)) {
            throw bad("a Kafka target URI must start with " + SCHEME, "write kafka://host:9092[,host:9092][?options]");
        }
        String rest = uri.substring(SCHEME.length());
        int q = rest.indexOf('?');
        String authority = q < 0 ? rest : rest.substring(0, q);
        KafkaTarget.Builder b = KafkaTarget.builder().bootstrapServers(servers(authority));
        if (q >= 0) {
            options(rest.substring(q + 1), b);
        }
        return b;
    }

    private static String servers(String authority) {
        if (authority.indexOf('@') >= 0) {
            // Not quoted: what stands before the @ is a password more often than not.
            throw bad(
                    "the Kafka target URI holds credentials before its host",
                    "give SASL credentials as producer.sasl.jaas.config, and TLS ones as producer.ssl.* options");
        }
        if (authority.endsWith("/")) {
            authority = authority.substring(0, authority.length() - 1);
        }
        if (authority.isEmpty()) {
            throw bad("the Kafka target URI names no broker", "write kafka://host:9092[,host:9092]");
        }
        for (String server : authority.split(",", -1)) {
            int colon = server.lastIndexOf(':');
            String host = colon < 0 ? "" : server.substring(0, colon);
            String port = colon < 0 ? "" : server.substring(colon + 1);
            if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535 || port.equals("0")) {
                throw bad(
                        "the broker '" + server + "' of the Kafka target URI is not host:port",
                        "write each broker as host:port, separated by commas");
            }
        }
        return authority;
    }

    private static void options(String query, KafkaTarget.Builder b) {
        Set<String> seen = new HashSet<>();
        String file = null;
        String[] pairs = query.isEmpty() ? new String[0] : query.split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            String pair = pairs[i];
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                // Not quoted: without its '=', a value may have been pasted on its own.
                throw bad(
                        "option " + (i + 1) + " of the Kafka target URI is not key=value",
                        "write the options as ?key=value&key=value; known keys: " + KNOWN);
            }
            String key = decode(pair.substring(0, eq), "the name of option " + (i + 1));
            String value = decode(pair.substring(eq + 1), "the value of option " + key);
            if (!seen.add(key)) {
                throw bad("option " + key + " appears twice in the Kafka target URI", "give it once");
            }
            if (key.equals(CONFIG_FILE)) {
                file = value;
            } else {
                option(key, value, b);
            }
        }
        if (file != null) {
            // After the URI's own options, which win: the file holds what they leave out (the secrets, typically).
            ProducerConfigFile.read(file).forEach((k, v) -> {
                if (!seen.contains("producer." + k)) {
                    b.producerProperty(k, v);
                }
            });
        }
    }

    private static void option(String key, String value, KafkaTarget.Builder b) {
        switch (key) {
            case "topic.prefix" -> b.topicPrefix(value);
            case "delivery" -> {
                Delivery d = Delivery.fromUri(value);
                if (d == null) {
                    throw bad(
                            "delivery=" + value + " is not a delivery mode",
                            "write delivery=exactly-once or" + " delivery=at-least-once");
                }
                b.delivery(d);
            }
            case "tombstones" -> b.tombstones(bool(key, value));
            case "transaction.metadata" -> b.transactionMetadata(bool(key, value));
            case "schemas" -> b.schemas(bool(key, value));
            case "transaction.per.source.transaction" -> b.transactionPerSourceTransaction(bool(key, value));
            default -> {
                if (!key.startsWith("producer.") || key.length() == "producer.".length()) {
                    throw bad(
                            "unknown option " + key + " in the Kafka target URI",
                            "use one of " + KNOWN + " (producer.* options go to the Kafka producer)");
                }
                b.producerProperty(key.substring("producer.".length()), value);
            }
        }
    }

    private static boolean bool(String key, String value) {
        if (value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw bad(key + "=" + value + " is not true or false", "write " + key + "=true or " + key + "=false");
    }

    /** Percent-decoding ({@code +} stays a plus: these are not form fields); the error names only {@code what}. */
    private static String decode(String s, String what) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '%') {
                out.write(bytes[i]);
                continue;
            }
            int hi = i + 2 < bytes.length ? Character.digit(bytes[i + 1], 16) : -1;
            int lo = i + 2 < bytes.length ? Character.digit(bytes[i + 2], 16) : -1;
            if (hi < 0 || lo < 0) {
                throw bad(what + " in the Kafka target URI has a bad %-escape", "write % as %25");
            }
            out.write(hi * 16 + lo);
            i += 2;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static PgFerryException bad(String problem, String fix) {
        return PgFerryException.fatal(problem, fix);
    }
}
