package io.pgferry.cli;

import io.pgferry.cli.command.Invocation;
import io.pgferry.cli.config.ConfigFile;
import io.pgferry.cli.scan.ScanSections;
import io.pgferry.core.PgFerryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Values for options not given on the command line, from {@code PGFERRY_<OPTION>} environment variables (the option's
 * long name in upper case, dashes as underscores: {@code --copy-mode} is {@code PGFERRY_COPY_MODE}), then from the
 * {@link ConfigFile} of {@code --config}. Flags win over both, the environment over the file. The file is read and
 * checked once, before the command runs.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    /**
     * Keys of a command's section (or of the top level) that are not option values: the command reads them itself
     * ({@link ScanSections} for {@code scan}).
     */
    static final Map<String, List<String>> SECTIONS = Map.of("scan", ScanSections.KEYS);

    private final Map<String, String> env;
    private final Map<String, ConfigFile.Value> file;

    ConfigDefaults(Map<String, String> env, Map<String, ConfigFile.Value> file) {
        this.env = env;
        this.file = file;
    }

    /**
     * Installs the defaults on {@code cl} for the command {@code args} invoke.
     *
     * @return the configuration file read, or null
     * @throws PgFerryException for an unreadable file, one that is not a YAML mapping, or an unknown key
     */
    static Path install(CommandLine cl, String[] args, Map<String, String> env) {
        Path config = configPath(args, env);
        Map<String, ConfigFile.Value> values = Map.of();
        if (config != null) {
            ConfigFile f = ConfigFile.read(config, cl, SECTIONS, env);
            CommandLine sub = subcommand(cl, args);
            // pgferry config check reads the file as another command would; the file does not configure the check.
            values = sub == null || sub.getCommandSpec().userObject() instanceof ConfigCommand.Check
                    ? Map.of()
                    : f.valuesFor(sub);
        }
        cl.setDefaultValueProvider(new ConfigDefaults(env, values));
        return config;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        return origin(arg) == null ? null : valueOf(arg);
    }

    /** Where {@code arg}'s default comes from: "environment", "file", or null when from neither. */
    String origin(ArgSpec arg) {
        String name = name(arg);
        if (name == null) {
            return null;
        }
        if (env.get(variable(name)) != null) {
            return "environment " + variable(name);
        }
        return file.containsKey(name) ? "file" : null;
    }

    /** Whether {@code arg}'s value from the file or environment is a secret. */
    boolean secret(ArgSpec arg) {
        String name = name(arg);
        return name != null
                && file.containsKey(name)
                && env.get(variable(name)) == null
                && file.get(name).secret();
    }

    private String valueOf(ArgSpec arg) {
        String name = name(arg);
        String v = env.get(variable(name));
        return v != null ? v : file.get(name).text();
    }

    private static String name(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
            return null;
        }
        String name = option.longestName().substring(2);
        return ConfigFile.COMMAND_LINE_ONLY.contains(name) ? null : name;
    }

    private static String variable(String name) {
        return Invocation.ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The file of {@code --config}, else of {@code PGFERRY_CONFIG}, else null. */
    static Path configPath(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        String fromEnv = env.get(Invocation.ENV_PREFIX + "CONFIG");
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }

    /** The innermost subcommand {@code args} name ({@code guard register} for pgferry guard register ...). */
    static CommandLine subcommand(CommandLine cl, String[] args) {
        CommandLine found = null;
        CommandLine current = cl;
        for (String a : args) {
            if (a.startsWith("-")) {
                continue;
            }
            CommandLine next = current.getSubcommands().get(a);
            if (next == null) {
                break;
            }
            found = next;
            current = next;
        }
        return found;
    }
}
