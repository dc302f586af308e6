package io.pgferry.cli.command;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Parsing of the DSN and table options of the verification commands, whose values may also come from
 * {@code PGFERRY_*} variables (see {@link Invocation#ENV_PREFIX}). A missing or malformed value is a usage error.
 */
public final class DsnArguments {
    private DsnArguments() {}

    /** The DSN of {@code option}; {@code value} is what the option (or its variable) held. */
    public static Dsn required(CommandLine cl, String value, String option) {
        if (value == null || value.isBlank()) {
            String variable = Invocation.ENV_PREFIX
                    + option.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
            throw new ConfigurationError(
                    cl,
                    PgFerryException.fatal(
                            "no " + option + " given",
                            "pass " + option + " postgresql://user@host:5432/db or set " + variable));
        }
        try {
            return Dsn.parse(value);
        } catch (PgFerryException e) {
            throw new ConfigurationError(cl, PgFerryException.fatal(option + ": " + e.problem(), e.fix()));
        }
    }

    /** Table names, each {@code schema.table} or {@code table}, from repeated or comma-separated values. */
    public static List<TableName> tables(CommandLine cl, List<String> values) {
        List<TableName> out = new ArrayList<>();
        try {
            for (String v : values) {
                out.addAll(TableName.parseList(v));
            }
        } catch (PgFerryException e) {
            throw new ConfigurationError(cl, e);
        }
        return out;
    }
}
