package io.pgferry.kafka;

import io.pgferry.core.PgFerryException;
import java.util.Collection;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.InvalidTxnTimeoutException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Turns what the Kafka clients throw into a {@link PgFerryException}: fatal where retrying cannot help (another
 * producer took over the transactional id, refused credentials or rights, a record larger than the broker takes, a
 * broker without transactions, a bad setting), retriable otherwise (a lost or slow broker). The message is one line; any secret of the target that the clients' message might hold is
 * masked, in the message and in the cause kept.
 */
final class KafkaErrors {
    private KafkaErrors() {}

    /**
     * @param doing what failed, as in "could not {@code doing}"
     * @param transactionalId the producer's, for the fencing message; null for none
     */
    static PgFerryException classify(Throwable e, String doing, KafkaTarget target, String transactionalId) {
        Throwable cause = unwrap(e);
        if (cause instanceof PgFerryException p) {
            return p;
        }
        Collection<String> secrets = Secrets.values(target);
        Throwable kept = Secrets.scrub(cause, secrets);
        String message = cause.getMessage() == null ? "" : ": " + Secrets.mask(cause.getMessage(), secrets);
        String problem = "could not " + doing + " at Kafka " + target.bootstrapServers() + ": "
                + cause.getClass().getSimpleName() + message;
        String fix = fatalFix(cause, target, transactionalId);
        if (fix != null) {
            return PgFerryException.fatal(problem, fix, kept);
        }
        return PgFerryException.retriable(
                problem, "retried; check that the brokers are up and reachable from here", kept);
    }

    /** A client that could not be made: its settings are wrong (a TLS file that cannot be read, a bad value). */
    static PgFerryException badSettings(KafkaException e, KafkaTarget target) {
        Collection<String> secrets = Secrets.values(target);
        StringBuilder problem = new StringBuilder("could not make a Kafka client for " + target.bootstrapServers());
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null) {
                problem.append(": ").append(Secrets.mask(c.getMessage(), secrets));
            }
        }
        return PgFerryException.fatal(
                problem.toString(),
                "correct the producer.* options of the target (security.protocol, ssl.*, sasl.*)",
                Secrets.scrub(e, secrets));
    }

    /** The fix of an error retrying cannot help, or null for one it may. */
    private static String fatalFix(Throwable cause, KafkaTarget target, String transactionalId) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            // A newer producer of the id bumped its epoch (or, past transaction.timeout.ms, the coordinator did
            // when it aborted the transaction): retrying would fence that producer in turn, or time out again.
            if (c instanceof ProducerFencedException || c instanceof InvalidProducerEpochException) {
                return "another producer took over transactional id " + transactionalId + ": stop the other"
                        + " pgferry running sync " + target.syncName() + "; if none runs, a source transaction took"
                        + " longer than the producer's transaction.timeout.ms (see docs/kafka.md)";
            }
            if (c instanceof AuthenticationException) {
                return "check the producer.security.protocol, producer.ssl.* and producer.sasl.* options";
            }
            if (c instanceof AuthorizationException) {
                return "grant the principal pgferry connects as the rights docs/kafka.md lists (write and create"
                        + " the topics, read the offsets topic, the transactional id " + transactionalId + ")";
            }
            if (c instanceof InvalidTxnTimeoutException) {
                return "give producer.transaction.timeout.ms at most the broker's transaction.max.timeout.ms";
            }
            if (c instanceof RecordTooLargeException || c instanceof RecordBatchTooLargeException) {
                return "raise the broker's message.max.bytes and producer.max.request.size above the largest row";
            }
            if (c instanceof UnsupportedVersionException) {
                return "use Kafka 2.5 or later, with transactions enabled, or delivery=at-least-once";
            }
            if (c instanceof InvalidTopicException
                    || c instanceof InvalidReplicationFactorException
                    || c instanceof PolicyViolationException
                    || c instanceof InvalidConfigurationException) {
                return "create the topic by hand, or change the broker's topic defaults";
            }
            if (c instanceof ConfigException) {
                return "correct the producer.* options of the target";
            }
        }
        return null;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        // The producer reports an earlier failure wrapped in a plain KafkaException; the wrapped one says more.
        if (t.getClass() == KafkaException.class && t.getCause() instanceof KafkaException inner) {
            return inner;
        }
        return t;
    }
}
