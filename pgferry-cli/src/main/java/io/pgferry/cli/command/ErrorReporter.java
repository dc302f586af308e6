package io.pgferry.cli.command;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Prints every error as one line on stderr, {@code pgferry: error: <problem>; fix: <fix>}, and picks the exit code.
 * With {@code --verbose} the stack trace follows. Everything printed goes through {@link Dsn#maskSecretsIn} first,
 * so a connection string in a message never shows its password.
 */
public final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final String PREFIX = "pgferry: error: ";

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        return report(ex, commandLine);
    }

    /** Usage errors from picocli and {@link ConfigurationError}s from commands: one line and a pointer to help. */
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        if (ex instanceof ConfigurationError config) {
            err.println(line(config.problem(), config.fix()));
        } else {
            err.println(line(ex.getMessage(), "see '" + cl.getCommandSpec().qualifiedName() + " --help'"));
        }
        if (Invocation.isVerbose(cl)) {
            printStackTrace(err, ex);
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    /** Reports an exception that escaped a command's call(); returns {@link ExitCodes#RUNTIME}. */
    static int report(Throwable t, CommandLine commandLine) {
        PrintWriter err = commandLine.getErr();
        if (t instanceof PgFerryException e) {
            err.println(line(e.problem(), e.fix()));
        } else {
            err.println(line(
                    "unexpected " + t.getClass().getSimpleName() + ": " + t.getMessage(),
                    "run again with --verbose and report the stack trace"));
        }
        if (Invocation.isVerbose(commandLine)) {
            printStackTrace(err, t);
        }
        err.flush();
        return ExitCodes.RUNTIME;
    }

    /** The single error line, masked and flattened. */
    public static String line(String problem, String fix) {
        String text = PREFIX + flatten(problem) + (fix == null || fix.isEmpty() ? "" : "; fix: " + flatten(fix));
        return Dsn.maskSecretsIn(text);
    }

    private static String flatten(String s) {
        return s == null ? "(no message)" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static void printStackTrace(PrintWriter err, Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        err.print(Dsn.maskSecretsIn(trace.toString()));
    }
}
