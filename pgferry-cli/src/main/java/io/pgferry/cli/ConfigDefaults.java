package io.pgferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgferry.core.PgFerryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Values for options not given on the command line, from {@code PGFERRY_<OPTION>} environment variables (the option's
 * long name in upper case, dashes as underscores: {@code --copy-mode} is {@code PGFERRY_COPY_MODE}), then from the
 * YAML file of {@code --config} (keys are long option names without dashes; a list is a comma-separated value).
 * Flags win over both, the environment over the file. The file is read and checked once, before the command runs:
 * a key that is no option of the command is an error.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    static final String ENV_PREFIX = "PGFERRY_";
    private static final List<String> NEVER = List.of("config", "help", "version", "verbose");
    /**
     * Keys that are sections of their command's file rather than option values: the command reads them itself
     * ({@link ScanSections} for {@code scan}).
     */
    private static final Map<String, List<String>> SECTIONS = Map.of("scan", ScanSections.KEYS);

    private final Map<String, String> env;
    private final Map<String, String> file;

    private ConfigDefaults(Map<String, String> env, Map<String, String> file) {
        this.env = env;
        this.file = file;
    }

    /**
     * Installs the defaults on {@code cl} for the command {@code args} invoke.
     *
     * @throws PgFerryException for an unreadable file, one that is not a YAML mapping, or an unknown key
     */
    static void install(CommandLine cl, String[] args, Map<String, String> env) {
        Path config = configPath(args);
        Map<String, String> values = new HashMap<>();
        if (config != null) {
            values = read(config);
            CommandLine sub = subcommand(cl, args);
            List<String> sections = sub == null ? List.of() : SECTIONS.getOrDefault(sub.getCommandName(), List.of());
            values.keySet().removeIf(sections::contains);
            for (String key : values.keySet()) {
                if (sub == null || sub.getCommandSpec().findOption("--" + key) == null || NEVER.contains(key)) {
                    throw PgFerryException.fatal(
                            "unknown key '" + key + "' in " + config + " for "
                                    + (sub == null ? "pgferry" : "pgferry " + sub.getCommandName()),
                            "use the command's long option names without dashes (see --help), e.g. copy-mode: none");
                }
            }
        }
        cl.setDefaultValueProvider(new ConfigDefaults(env, values));
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
            return null;
        }
        String name = option.longestName().substring(2);
        if (NEVER.contains(name)) {
            return null;
        }
        String v = env.get(ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        return v != null ? v : file.get(name);
    }

    private static Path configPath(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        return null;
    }

    /** The innermost subcommand {@code args} name ({@code guard register} for pgferry guard register ...). */
    private static CommandLine subcommand(CommandLine cl, String[] args) {
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

    private static Map<String, String> read(Path config) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(config));
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "cannot read configuration file " + config + ": "
                            + e.getMessage().lines().findFirst().orElse(""),
                    "check the path, and that the file is YAML");
        }
        if (root == null || !root.isObject()) {
            throw PgFerryException.fatal(
                    "configuration file " + config + " is not a YAML mapping of option names to values",
                    "write one option per line, e.g. workers: 8");
        }
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            JsonNode v = e.getValue();
            if (SECTIONS.values().stream().anyMatch(keys -> keys.contains(e.getKey()))) {
                out.put(e.getKey(), ""); // a section: its command reads it, and the key check refuses it elsewhere
            } else if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(item -> items.add(item.asText()));
                out.put(e.getKey(), String.join(",", items));
            } else if (v.isValueNode() && !v.isNull()) {
                out.put(e.getKey(), v.asText());
            } else {
                throw PgFerryException.fatal(
                        "key '" + e.getKey() + "' in " + config + " is not a value or a list",
                        "give a single value or a list of values");
            }
        }
        return out;
    }
}
