package io.pgferry.cli;

import io.pgferry.cli.ops.ConsoleLines;
import io.pgferry.cli.ops.Logging;
import io.pgferry.core.PgFerryException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code pgferry} command. A new subcommand is one more line in {@code subcommands} below.
 *
 * <p>{@link #newCommandLine} builds the configured command line (one-line errors, exit codes from
 * {@link ExitCodes}, injectable out/err); {@link #main} runs it on the process's stdout/stderr.
 */
@Command(
        name = "pgferry",
        mixinStandardHelpOptions = true,
        versionProvider = Main.ManifestVersion.class,
        description =
                "PostgreSQL logical replication: stream, sync and verify committed changes; check a source; manage"
                        + " slots.",
        subcommands = {
            CommandLine.HelpCommand.class,
            CheckCommand.class,
            SlotsCommand.class,
            StreamCommand.class,
            ScanCommand.class,
            RulesCommand.class,
            SyncCommand.class,
            StatusCommand.class,
            GuardCommand.class,
            VerifyCommand.class,
            InspectCommand.class,
            RepairCommand.class,
            DiffCommand.class,
            RunsCommand.class,
            ConfigCommand.class,
            DemoCommand.class,
        })
public final class Main implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions commonOptions;

    /** Set by any {@link CommonOptions} in the command tree; read through {@link #isVerbose}. */
    boolean verbose;

    /** Set by {@code --log-level} anywhere in the command tree; null keeps logback.xml's. */
    ch.qos.logback.classic.Level logLevel;

    /** Set by {@code --config} anywhere in the command tree, or from {@code PGFERRY_CONFIG}. */
    Path config;

    /** The environment the command line was run with ({@link #execute}); the process's otherwise. */
    Map<String, String> env;

    /** Standard error as {@link #execute} wraps it, switched to JSON by {@code --log-format json}; else null. */
    ConsoleLines console;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = execute(out, err, System.getenv(), args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs {@code pgferry args}: the command line of {@link #newCommandLine}, with option values from {@code env}
     * ({@code PGFERRY_*}) and the {@code --config} file for options not given (see {@link ConfigDefaults}).
     */
    static int execute(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        ConsoleLines console = new ConsoleLines(err);
        PrintWriter lines = new PrintWriter(console, true);
        Main main = new Main();
        main.console = console;
        main.env = env;
        CommandLine cl = configure(new CommandLine(main), out, lines);
        try {
            main.config = ConfigDefaults.install(cl, args, env);
        } catch (PgFerryException e) {
            err.println(ErrorReporter.line(e.problem(), e.fix()));
            err.flush();
            return ExitCodes.USAGE;
        }
        try {
            return cl.execute(args);
        } finally {
            lines.close();
            // Back to logback.xml's text for whatever runs next in this JVM (the tests run many commands).
            Logging.useFormat(Logging.Format.text);
        }
    }

    /** The configured {@code pgferry} command line writing to {@code out} and {@code err}. */
    public static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
        return configure(new CommandLine(new Main()), out, err);
    }

    private static CommandLine configure(CommandLine cl, PrintWriter out, PrintWriter err) {
        ErrorReporter reporter = new ErrorReporter();
        return cl.setOut(out).setErr(err).setExecutionExceptionHandler(reporter).setParameterExceptionHandler(reporter);
    }

    /** {@code pgferry} alone: usage on stderr, exit {@link ExitCodes#USAGE}. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** Whether {@code -v} was given anywhere on the command line of {@code commandLine}'s tree. */
    static boolean isVerbose(CommandLine commandLine) {
        return commandLine.getCommandSpec().root().userObject() instanceof Main main && main.verbose;
    }

    /** The configuration file {@code commandLine}'s tree was run with, or null. */
    static Path configFile(CommandLine commandLine) {
        return commandLine.getCommandSpec().root().userObject() instanceof Main main ? main.config : null;
    }

    /** The environment {@code commandLine}'s tree was run with. */
    static Map<String, String> environment(CommandLine commandLine) {
        return commandLine.getCommandSpec().root().userObject() instanceof Main main && main.env != null
                ? main.env
                : System.getenv();
    }

    /** Applies the logging options given anywhere on the command line of {@code commandLine}'s tree. */
    static void applyLogging(CommandLine commandLine) {
        if (commandLine.getCommandSpec().root().userObject() instanceof Main main) {
            Logging.level(main.verbose, main.logLevel);
        } else {
            Logging.level(false, null);
        }
    }

    /** The jar manifest's Implementation-Version, or "dev" when run from classes. */
    static final class ManifestVersion implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pgferry " + (version == null ? "dev" : version)};
        }
    }
}
