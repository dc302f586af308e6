package io.pgferry.cli.command;

import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.foreign.JdbcTarget;
import io.pgferry.jdbc.foreign.JdbcTargetUri;
import io.pgferry.kafka.KafkaTarget;
import io.pgferry.postgres.connect.Dsn;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --target DSN}, falling back to {@code PGFERRY_TARGET_DSN}; mix into any command that needs the target. */
public final class TargetOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--target",
            paramLabel = "DSN",
            description = "Target database: postgresql://user@host:5432/db or 'host=... dbname=...'; for sync also"
                    + " mysql://user@host:3306/db, mariadb://..., sqlite:/path/file.db, sqlserver://user@host:1433/db"
                    + " or kafka://host:9092 (default: $PGFERRY_TARGET_DSN).")
    String target;

    /** The target as given, or from {@code PGFERRY_TARGET_DSN}; null when neither is set. */
    private String raw() {
        return target != null ? target : System.getenv(Dsn.TARGET_DSN_VARIABLE);
    }

    /** Whether the target is a database other than PostgreSQL (mysql://, mariadb://, sqlite:, sqlserver://). */
    public boolean foreign() {
        String r = raw();
        return r != null && JdbcTargetUri.handles(r);
    }

    /** Whether the target is a Kafka cluster ({@code kafka://host:9092,...}). */
    public boolean kafka() {
        String r = raw();
        return r != null && r.toLowerCase(Locale.ROOT).startsWith("kafka://");
    }

    /**
     * The Kafka destination of a {@link #kafka()} target URI, for sync {@code syncName} of source database {@code
     * sourceDatabase} (named in each record's {@code source.db}), its topics' schema segments mapped by {@code schemaMap}.
     *
     * @throws ConfigurationError (exit {@link ExitCodes#USAGE}) when it is malformed
     */
    public KafkaTarget kafkaTarget(String syncName, String sourceDatabase, java.util.Map<String, String> schemaMap) {
        try {
            KafkaTarget.Builder b =
                    KafkaTarget.parseUri(raw()).syncName(syncName).sourceDatabase(sourceDatabase);
            schemaMap.forEach(b::mapSchema);
            return b.build();
        } catch (PgFerryException e) {
            throw new ConfigurationError(mixee.commandLine(), e);
        }
    }

    /**
     * The Kafka target whose offsets topic {@code pgferry status} reads: that of sync {@code slot}, or, without a slot,
     * that of the URI's {@code topic.prefix}, where every sync's position is listed.
     *
     * @throws ConfigurationError (exit {@link ExitCodes#USAGE}) when it is malformed or names neither
     */
    public KafkaTarget kafkaStatusTarget(String slot) {
        try {
            KafkaTarget.Builder b = KafkaTarget.parseUri(raw());
            if (slot == null && !b.hasTopicPrefix()) {
                throw PgFerryException.fatal(
                        "the status of a Kafka target needs the sync's name or its topic prefix",
                        "give --slot NAME, or topic.prefix in the target URI to list every sync under it");
            }
            // Without a slot the sync name only completes the target: every sync's position is read.
            return b.syncName(slot != null ? slot : "status")
                    .sourceDatabase("status")
                    .build();
        } catch (PgFerryException e) {
            throw new ConfigurationError(mixee.commandLine(), e);
        }
    }

    /**
     * The destination of a {@link #foreign()} target URI.
     *
     * @throws ConfigurationError (exit {@link ExitCodes#USAGE}) when it is malformed
     */
    public JdbcTarget foreignTarget() {
        try {
            return JdbcTargetUri.parse(raw(), System.getenv());
        } catch (PgFerryException e) {
            throw new ConfigurationError(mixee.commandLine(), e);
        }
    }

    /**
     * The parsed DSN.
     *
     * @throws ConfigurationError (exit {@link ExitCodes#USAGE}) when it is missing or malformed
     */
    public Dsn dsn() {
        try {
            return Dsn.fromEnvironmentOr(target, Dsn.TARGET_DSN_VARIABLE, "target");
        } catch (PgFerryException e) {
            throw new ConfigurationError(mixee.commandLine(), e);
        }
    }
}
