package io.pgferry.cli.command;

import io.pgferry.core.PgFerryException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * A configuration problem found after parsing (missing or malformed DSN, bad table list, bad slot name). It is a
 * picocli {@link ParameterException} so that picocli itself maps it to {@link ExitCodes#USAGE}, even on a
 * {@link CommandLine} that {@link Main#newCommandLine} did not configure.
 */
public final class ConfigurationError extends ParameterException {
    private static final long serialVersionUID = 1L;

    private final String problem;
    private final String fix;

    public ConfigurationError(CommandLine commandLine, PgFerryException cause) {
        super(commandLine, cause.getMessage(), cause);
        this.problem = cause.problem();
        this.fix = cause.fix();
    }

    String problem() {
        return problem;
    }

    String fix() {
        return fix;
    }
}
