package io.pgferry.cli.command;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --source DSN}, falling back to {@code PGFERRY_SOURCE_DSN}; mix into any command that needs the source. */
public final class SourceOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--source",
            paramLabel = "DSN",
            description = "Source database: postgresql://user@host:5432/db or 'host=... dbname=...'"
                    + " (default: $PGFERRY_SOURCE_DSN).")
    public String source;

    /**
     * The parsed DSN.
     *
     * @throws ConfigurationError (exit {@link ExitCodes#USAGE}) when it is missing or malformed
     */
    public Dsn dsn() {
        try {
            return Dsn.fromEnvironmentOr(source);
        } catch (PgFerryException e) {
            throw new ConfigurationError(mixee.commandLine(), e);
        }
    }
}
