package io.pgferry.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code -v/--verbose}, accepted before or after the subcommand ({@code pgferry -v check} and
 * {@code pgferry check -v}). Every instance records the flag on the root {@link Main}, the single place it is read.
 */
final class VerboseOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = {"-v", "--verbose"},
            description = "Debug logging for pgferry and stack traces on errors.")
    void setVerbose(boolean verbose) {
        // Only ever raise: picocli may call the setter with false when it resets a subcommand's options.
        if (verbose && mixee.root().userObject() instanceof Main main) {
            main.verbose = true;
        }
    }
}
