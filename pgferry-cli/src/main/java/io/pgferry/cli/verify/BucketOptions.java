package io.pgferry.cli.verify;

import io.pgferry.cli.command.ConfigurationError;
import io.pgferry.cli.command.DsnArguments;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options of inspect and repair: the two sides, one table and one bucket. */
final class BucketOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--publisher-dsn", paramLabel = "DSN", description = "The publisher ($PGFERRY_PUBLISHER_DSN).")
    String publisherDsn;

    @Option(names = "--subscriber-dsn", paramLabel = "DSN", description = "The subscriber ($PGFERRY_SUBSCRIBER_DSN).")
    String subscriberDsn;

    @Option(
            names = "--schema",
            paramLabel = "S",
            description = "The table's schema when --table has none (default: public).")
    String schema;

    @Option(names = "--table", required = true, paramLabel = "S.T", description = "The table.")
    String table;

    @Option(names = "--bucket-id", required = true, paramLabel = "N", description = "The bucket verify reported.")
    long bucketId;

    Dsn publisher() {
        return DsnArguments.required(mixee.commandLine(), publisherDsn, "--publisher-dsn");
    }

    Dsn subscriber() {
        return DsnArguments.required(mixee.commandLine(), subscriberDsn, "--subscriber-dsn");
    }

    TableName tableName() {
        try {
            TableName t = TableName.parse(table);
            boolean qualified = table.contains(".");
            return qualified || schema == null ? t : new TableName(schema, t.name());
        } catch (PgFerryException e) {
            throw new ConfigurationError(mixee.commandLine(), e);
        }
    }
}
