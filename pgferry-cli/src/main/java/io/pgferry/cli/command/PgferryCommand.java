package io.pgferry.cli.command;

import io.pgferry.core.PgFerryException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Base of the commands that do work: applies {@code --verbose} to logging and turns what escapes {@link #run()}
 * into the one-line error and exit code, so the command behaves the same on any {@code CommandLine}, configured by
 * {@code Main.newCommandLine} or not.
 */
public abstract class PgferryCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    @Mixin
    protected CommonOptions commonOptions;

    /** Does the work and returns an exit code from {@link ExitCodes}. */
    protected abstract int run();

    @Override
    public final Integer call() {
        Invocation.applyLogging(spec.commandLine());
        try {
            return run();
        } catch (ParameterException e) {
            throw e;
        } catch (RuntimeException e) {
            ErrorReporter.report(e, spec.commandLine());
            return runtimeExitCode();
        }
    }

    /** The exit code of a runtime failure; the verification commands use another, as pg-sync-guard did. */
    protected int runtimeExitCode() {
        return ExitCodes.RUNTIME;
    }

    /** The command line this command runs on. */
    public CommandLine commandLine() {
        return spec.commandLine();
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Turns a problem with the user's input into exit {@link ExitCodes#USAGE}. */
    public ConfigurationError configurationError(PgFerryException e) {
        return new ConfigurationError(spec.commandLine(), e);
    }
}
