package io.pgferry.cli;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --target DSN}, falling back to {@code PGFERRY_TARGET_DSN}; mix into any command that needs the target. */
final class TargetOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--target",
            paramLabel = "DSN",
            description = "Target database: postgresql://user@host:5432/db or 'host=... dbname=...'"
                    + " (default: $PGFERRY_TARGET_DSN).")
    String target;

    /**
     * The parsed DSN.
     *
     * @throws ConfigurationError (exit {@link ExitCodes#USAGE}) when it is missing or malformed
     */
    Dsn dsn() {
        try {
            return Dsn.fromEnvironmentOr(target, Dsn.TARGET_DSN_VARIABLE, "target");
        } catch (PgFerryException e) {
            throw new ConfigurationError(mixee.commandLine(), e);
        }
    }
}
