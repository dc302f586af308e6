package io.pgferry.cli;

import io.pgferry.core.PgFerryException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Base of the commands that do work: applies {@code --verbose} to logging and turns what escapes {@link #run()}
 * into the one-line error and exit code, so the command behaves the same on any {@code CommandLine}, configured by
 * {@link Main#newCommandLine} or not.
 */
abstract class PgferryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions commonOptions;

    /** Does the work and returns an exit code from {@link ExitCodes}. */
    abstract int run();

    @Override
    public final Integer call() {
        Main.applyLogging(spec.commandLine());
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
    int runtimeExitCode() {
        return ExitCodes.RUNTIME;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Turns a problem with the user's input into exit {@link ExitCodes#USAGE}. */
    ConfigurationError configurationError(PgFerryException e) {
        return new ConfigurationError(spec.commandLine(), e);
    }
}
