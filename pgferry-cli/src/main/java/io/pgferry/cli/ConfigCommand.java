package io.pgferry.cli;

import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.Invocation;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.config.ConfigFile;
import io.pgferry.cli.scan.ScanSections;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;

/** {@code pgferry config check}: a configuration file resolved as a command would see it, secrets masked. */
@Command(
        name = "config",
        description = "Check configuration files.",
        mixinStandardHelpOptions = true,
        subcommands = {ConfigCommand.Check.class})
final class ConfigCommand extends PgferryCommand {
    @Override
    protected int run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    @Command(
            name = "check",
            description = "Read FILE as COMMAND would (file, then PGFERRY_* variables), print the options it sets with"
                    + " every secret masked, and exit 2 naming the first bad key or value. Without COMMAND, every"
                    + " command the file has a section for, else the long-running commands that take all its keys.",
            mixinStandardHelpOptions = true)
    static final class Check extends PgferryCommand {
        private static final List<List<String>> LONG_RUNNING =
                List.of(List.of("stream"), List.of("sync"), List.of("scan"), List.of("guard", "run"));
        private static final Pattern SECRET_NAME = Pattern.compile("password|token|secret|header|key");
        private static final String MASK = "****";

        private Path config;

        @Parameters(paramLabel = "COMMAND", arity = "0..2", description = "The command, e.g. stream or guard run.")
        List<String> command = new ArrayList<>();

        @Override
        protected int run() {
            Map<String, String> env = Invocation.environment(spec.commandLine());
            config = Invocation.configFile(spec.commandLine());
            if (config == null) {
                throw configurationError(PgFerryException.fatal(
                        "no configuration file to check", "give it: pgferry config check --config FILE [COMMAND]"));
            }
            ConfigFile file;
            try {
                file = ConfigFile.read(config, fresh(), ConfigDefaults.SECTIONS, env);
            } catch (PgFerryException e) {
                throw configurationError(e);
            }
            List<List<String>> commands = commands(file);
            for (List<String> path : commands) {
                check(file, path, env);
            }
            out().printf(Locale.ROOT, "ok: %s is valid for %d command(s)%n", config, commands.size());
            return ExitCodes.OK;
        }

        private List<List<String>> commands(ConfigFile file) {
            CommandLine top = fresh();
            if (!command.isEmpty()) {
                if (sub(top, command) == null) {
                    throw configurationError(PgFerryException.fatal(
                            "pgferry has no command '" + String.join(" ", command) + "'",
                            "name a command, e.g. stream, sync, scan or guard run"));
                }
                return List.of(command);
            }
            List<List<String>> out = new ArrayList<>();
            for (String name : top.getSubcommands().keySet()) {
                if (file.hasSection(name)) {
                    out.add(name.equals("guard") ? List.of("guard", "run") : List.of(name));
                }
            }
            if (out.isEmpty()) {
                for (List<String> path : LONG_RUNNING) {
                    CommandLine sub = sub(top, path);
                    if (file.sharedKeys().stream()
                            .allMatch(k -> sub.getCommandSpec().findOption("--" + k) != null)) {
                        out.add(path);
                    }
                }
            }
            if (out.isEmpty()) {
                throw configurationError(PgFerryException.fatal(
                        config + " has keys no single long-running command takes all of",
                        "name the command it is for: pgferry config check --config " + config + " COMMAND"));
            }
            return out;
        }

        private void check(ConfigFile file, List<String> path, Map<String, String> env) {
            CommandLine top = fresh();
            CommandLine sub = sub(top, path);
            ConfigDefaults defaults = new ConfigDefaults(env, file.valuesFor(sub));
            top.setDefaultValueProvider(defaults);
            String name = "pgferry " + String.join(" ", path);
            try {
                top.parseArgs(path.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                String why = e.getMessage().replaceFirst("^Invalid value for option '--([a-z-]+)'", "key '$1'");
                throw configurationError(PgFerryException.fatal(
                        config + " for " + name + ": " + why, "correct the value (see " + name + " --help)"));
            }
            if (path.get(0).equals("scan")) {
                try {
                    ScanSections.read(config, env, null, null);
                } catch (PgFerryException e) {
                    throw configurationError(e);
                }
            }
            out().printf(Locale.ROOT, "%s (from %s):%n", name, config);
            for (OptionSpec o : sub.getCommandSpec().options()) {
                String origin = defaults.origin(o);
                if (origin == null) {
                    continue;
                }
                String key = ConfigFile.name(o);
                String value = defaults.defaultValue(o);
                if (ConfigFile.isDsn(o)) {
                    List<String> dsns =
                            o.splitRegex().isEmpty() ? List.of(value) : List.of(value.split(o.splitRegex()));
                    for (String dsn : dsns) {
                        if (looksLikePostgres(dsn)) {
                            try {
                                Dsn.parse(dsn);
                            } catch (PgFerryException e) {
                                throw configurationError(PgFerryException.fatal(
                                        config + " for " + name + ": key '" + key + "': " + e.problem(), e.fix()));
                            }
                        }
                    }
                }
                out().printf(Locale.ROOT, "  %s: %s    # %s%n", key, shown(o, key, value, defaults), origin);
            }
        }

        private static String shown(OptionSpec o, String key, String value, ConfigDefaults defaults) {
            if (defaults.secret(o) || SECRET_NAME.matcher(key).find()) {
                return ConfigFile.isDsn(o) ? Dsn.maskSecretsIn(value) : MASK;
            }
            // Any value may hold a DSN or URL with a password (a target URI, a channel).
            return Dsn.maskSecretsIn(value);
        }

        private static boolean looksLikePostgres(String value) {
            return value.startsWith("postgres://") || value.startsWith("postgresql://") || !value.contains("://");
        }

        private CommandLine fresh() {
            return Main.newCommandLine(out(), spec.commandLine().getErr());
        }

        private static CommandLine sub(CommandLine top, List<String> path) {
            CommandLine c = top;
            for (String p : path) {
                c = c.getSubcommands().get(p);
                if (c == null) {
                    return null;
                }
            }
            return c;
        }
    }
}
