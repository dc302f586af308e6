package io.pgferry.cli.command;

import ch.qos.logback.classic.Level;
import io.pgferry.cli.ops.ConsoleLines;
import io.pgferry.cli.ops.Logging;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/**
 * What one run of the command line was given that every command reads: its environment, {@code --config}, {@code
 * -v} and {@code --log-level} (wherever on the line they came, {@link CommonOptions}), and the console that {@code
 * --log-format} switches. The root command holds it ({@link Root}); a command reaches it through its {@link
 * CommandLine}, so a command run on a plain {@code CommandLine} without that root still works, with the process's
 * environment and no options.
 *
 * <p>Threading: written while picocli parses, read by the command afterwards, on the one thread that runs both.
 */
public final class Invocation {
    /** The root command of a tree whose commands read an {@link Invocation}. */
    public interface Root {
        Invocation invocation();
    }

    /** The prefix of the environment variables that give option values: {@code PGFERRY_SOURCE} for {@code --source}. */
    public static final String ENV_PREFIX = "PGFERRY_";

    private final Map<String, String> env;
    final ConsoleLines console;
    boolean verbose;
    Level logLevel;
    Path config;

    /**
     * @param env the environment the command line runs with
     * @param console standard error as the command line writes it, or null when it is not switched by {@code
     *     --log-format}
     */
    public Invocation(Map<String, String> env, ConsoleLines console) {
        this.env = env;
        this.console = console;
    }

    /** Records the configuration file found outside the command line ({@code PGFERRY_CONFIG}). */
    public void config(Path file) {
        if (file != null) {
            config = file;
        }
    }

    private static Invocation of(CommandLine commandLine) {
        return commandLine.getCommandSpec().root().userObject() instanceof Root r ? r.invocation() : null;
    }

    static Invocation of(picocli.CommandLine.Model.CommandSpec spec) {
        return spec.root().userObject() instanceof Root r ? r.invocation() : null;
    }

    /** Whether {@code -v} was given anywhere on the command line of {@code commandLine}'s tree. */
    public static boolean isVerbose(CommandLine commandLine) {
        Invocation i = of(commandLine);
        return i != null && i.verbose;
    }

    /** The configuration file {@code commandLine}'s tree was run with, or null. */
    public static Path configFile(CommandLine commandLine) {
        Invocation i = of(commandLine);
        return i == null ? null : i.config;
    }

    /** The environment {@code commandLine}'s tree was run with. */
    public static Map<String, String> environment(CommandLine commandLine) {
        Invocation i = of(commandLine);
        return i != null && i.env != null ? i.env : System.getenv();
    }

    /** Applies the logging options given anywhere on the command line of {@code commandLine}'s tree. */
    static void applyLogging(CommandLine commandLine) {
        Invocation i = of(commandLine);
        Logging.level(i != null && i.verbose, i == null ? null : i.logLevel);
    }
}
