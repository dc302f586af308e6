package io.pgferry.cli;

import io.pgferry.cli.command.Invocation;
import io.pgferry.cli.config.ConfigFile;
import io.pgferry.cli.scan.ScanSections;
import io.pgferry.core.PgFerryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Values for options not given on the command line, from {@code PGFERRY_<OPTION>} environment variables (the option's
 * long name in upper case, dashes as underscores: {@code --copy-mode} is {@code PGFERRY_COPY_MODE}), then from the
 * {@link ConfigFile} of {@code --config}. Flags win over both, the environment over the file. The file is read and
 * checked once, before the command runs.
 *
 * <p>For the options of an exclusive group (how a sync ends: {@code --follow}, {@code --until-caught-up}, ...) the
 * precedence holds for the group as a whole, not option by option: {@code --follow} on the command line overrides
 * {@code until-caught-up: true} in the file, though it names another option; and two options of one group set by the
 * same source are refused.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    /**
     * Keys of a command's section (or of the top level) that are not option values: the command reads them itself
     * ({@link ScanSections} for {@code scan}).
     */
    static final Map<String, List<String>> SECTIONS = Map.of("scan", ScanSections.KEYS);

    private final Map<String, String> env;
    private final Map<String, ConfigFile.Value> file;
    /** The option names given on the command line. */
    private final Set<String> given;

    ConfigDefaults(Map<String, String> env, Map<String, ConfigFile.Value> file) {
        this(env, file, Set.of());
    }

    private ConfigDefaults(Map<String, String> env, Map<String, ConfigFile.Value> file, Set<String> given) {
        this.env = env;
        this.file = file;
        this.given = given;
    }

    /**
     * Installs the defaults on {@code cl} for the command {@code args} invoke.
     *
     * @return the configuration file read, or null
     * @throws PgFerryException for an unreadable file, one that is not a YAML mapping, an unknown key, or two options
     *     of an exclusive group set by one source
     */
    static Path install(CommandLine cl, String[] args, Map<String, String> env) {
        Path config = configPath(args, env);
        Map<String, ConfigFile.Value> values = Map.of();
        CommandLine sub = subcommand(cl, args);
        if (config != null) {
            ConfigFile f = ConfigFile.read(config, cl, SECTIONS, env);
            // pgferry config check reads the file as another command would; the file does not configure the check.
            values = sub == null || sub.getCommandSpec().userObject() instanceof ConfigCommand.Check
                    ? Map.of()
                    : f.valuesFor(sub);
        }
        ConfigDefaults defaults = new ConfigDefaults(env, values, given(args));
        if (sub != null) {
            defaults.refuseExclusiveConflicts(sub.getCommandSpec().argGroups());
        }
        cl.setDefaultValueProvider(defaults);
        return config;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        return origin(arg) == null || overriddenInGroup(arg) ? null : valueOf(arg);
    }

    /**
     * Whether another option of {@code arg}'s exclusive group takes precedence over {@code arg}'s default: given on the
     * command line, or set in the environment while {@code arg}'s value comes from the file (issue #5: {@code
     * --follow} did not override {@code until-caught-up: true} in the file).
     */
    private boolean overriddenInGroup(ArgSpec arg) {
        ArgGroupSpec group = arg.group();
        if (group == null || !group.exclusive()) {
            return false;
        }
        boolean fromFile = env.get(variable(name(arg))) == null;
        for (ArgSpec other : group.args()) {
            if (other == arg) {
                continue;
            }
            if (other instanceof OptionSpec o && Arrays.stream(o.names()).anyMatch(given::contains)) {
                return true;
            }
            String n = name(other);
            if (fromFile && n != null && isSet(other, env.get(variable(n)))) {
                return true;
            }
        }
        return false;
    }

    /** Refuses two options of one exclusive group (in {@code groups}) both set by the environment or the file. */
    private void refuseExclusiveConflicts(List<ArgGroupSpec> groups) {
        for (ArgGroupSpec group : groups) {
            if (group.exclusive()) {
                List<String> set = new ArrayList<>();
                for (ArgSpec a : group.args()) {
                    if (isSet(a, defaultValue(a))) {
                        set.add(name(a) + " (" + origin(a) + ")");
                    }
                }
                if (set.size() > 1) {
                    throw PgFerryException.fatal(
                            "the configuration sets " + String.join(" and ", set) + ", which exclude each other",
                            "keep one of them, or give the one you mean as a flag");
                }
            }
            refuseExclusiveConflicts(group.subgroups());
        }
    }

    /** Whether {@code value} sets {@code arg}: present, and for a flag not false. */
    private static boolean isSet(ArgSpec arg, String value) {
        boolean flag = arg.type() == boolean.class || arg.type() == Boolean.class;
        return value != null && !(flag && value.strip().equalsIgnoreCase("false"));
    }

    /** The option names on the command line {@code args}, up to {@code --}. */
    private static Set<String> given(String[] args) {
        Set<String> names = new HashSet<>();
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            if (a.startsWith("-")) {
                int eq = a.indexOf('=');
                names.add(eq < 0 ? a : a.substring(0, eq));
            }
        }
        return names;
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
