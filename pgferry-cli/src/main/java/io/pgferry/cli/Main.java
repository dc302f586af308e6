package io.pgferry.cli;

import io.pgferry.cli.command.CommonOptions;
import io.pgferry.cli.command.ErrorReporter;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.Invocation;
import io.pgferry.cli.ops.ConsoleLines;
import io.pgferry.cli.ops.Logging;
import io.pgferry.cli.scan.RulesCommand;
import io.pgferry.cli.scan.ScanCommand;
import io.pgferry.cli.stream.CheckCommand;
import io.pgferry.cli.stream.DemoCommand;
import io.pgferry.cli.stream.SlotsCommand;
import io.pgferry.cli.stream.StreamCommand;
import io.pgferry.cli.sync.StatusCommand;
import io.pgferry.cli.sync.SyncCommand;
import io.pgferry.cli.verify.DiffCommand;
import io.pgferry.cli.verify.GuardCommand;
import io.pgferry.cli.verify.InspectCommand;
import io.pgferry.cli.verify.RepairCommand;
import io.pgferry.cli.verify.RunsCommand;
import io.pgferry.cli.verify.VerifyCommand;
import io.pgferry.core.PgFerryException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code pgferry} command. A new subcommand is one more line in {@link #SUBCOMMANDS}.
 *
 * <p>{@link #newCommandLine} builds the configured command line (one-line errors, exit codes from
 * {@link ExitCodes}, injectable out/err); {@link #main} runs it on the process's stdout/stderr.
 *
 * <p>A run that names its subcommand and reads no configuration file gets a command line with that subcommand alone:
 * picocli builds the model of every command it is given, by reflection, which took about 0.3 s of each start for all
 * of them against about 0.15 s for one (docs/operations.md, "Start-up time"). Help, {@code config} and a
 * configuration file need every command (a file's keys are checked against all of their options), and so does an
 * unknown name, for the usage text.
 */
@Command(
        name = "pgferry",
        mixinStandardHelpOptions = true,
        versionProvider = Main.ManifestVersion.class,
        description =
                "PostgreSQL logical replication: stream, sync and verify committed changes; check a source; manage"
                        + " slots.")
public final class Main implements Callable<Integer>, Invocation.Root {
    /** Every subcommand, in the order of the usage text. */
    static final List<Class<?>> SUBCOMMANDS = List.of(
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
            DemoCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions commonOptions;

    /** What this run of the command line was given: environment, --config, -v, --log-level, console. */
    private Invocation invocation = new Invocation(null, null);

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
    public static int execute(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        ConsoleLines console = new ConsoleLines(err);
        PrintWriter lines = new PrintWriter(console, true);
        Main main = new Main();
        main.invocation = new Invocation(env, console);
        CommandLine cl = configure(commandLine(main, only(args, env)), out, lines);
        try {
            main.invocation.config(ConfigDefaults.install(cl, args, env));
        } catch (PgFerryException e) {
            err.println(ErrorReporter.line(e.problem(), e.fix()));
            err.flush();
            return ExitCodes.USAGE;
        }
        try {
            return cl.execute(args);
        } finally {
            lines.close();
            // Back to text for whatever runs next in this JVM (the tests run many commands).
            Logging.useFormat(Logging.Format.text);
        }
    }

    /** The configured {@code pgferry} command line writing to {@code out} and {@code err}. */
    public static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
        return configure(commandLine(new Main(), null), out, err);
    }

    /** Every command with picocli's own error handling, not {@link #configure}'s (what the tests check survives). */
    static CommandLine unconfigured() {
        return commandLine(new Main(), null);
    }

    /** {@code main}'s command line with the subcommand {@code only}, or with all of them when it is null. */
    private static CommandLine commandLine(Main main, Class<?> only) {
        CommandLine cl = new CommandLine(main);
        for (Class<?> c : SUBCOMMANDS) {
            if (only == null || c == only) {
                cl.addSubcommand(c);
            }
        }
        return cl;
    }

    /**
     * The one subcommand {@code args} run, when it is all the command line needs: named by the first argument that is
     * a subcommand's name or alias (the top-level options take no value that is one), no configuration file, and
     * neither help nor {@code config}, which look at every command.
     */
    static Class<?> only(String[] args, Map<String, String> env) {
        if (ConfigDefaults.configPath(args, env) != null) {
            return null;
        }
        for (String a : args) {
            for (Class<?> c : SUBCOMMANDS) {
                Command command = c.getAnnotation(Command.class);
                if (a.equals(command.name()) || Arrays.asList(command.aliases()).contains(a)) {
                    return c == CommandLine.HelpCommand.class || c == ConfigCommand.class ? null : c;
                }
            }
        }
        return null;
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

    @Override
    public Invocation invocation() {
        return invocation;
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
