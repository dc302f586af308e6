package io.pgferry.cli.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The YAML file of {@code --config}, one file for every command. Top-level keys are option values shared by the
 * commands that take them; a key naming a command ({@code stream:}, {@code sync:}, {@code scan:}, {@code guard:}...)
 * holds a section whose values apply to that command only and win over the shared ones. Keys are long option names
 * without the dashes, with {@code -} or {@code _} alike ({@code copy_mode} is {@code --copy-mode}); a list is a
 * comma-separated value.
 *
 * <p>Secrets stay out of the file: any value may be {@code {file: PATH}} (the file's content, trimmed) or
 * {@code {env: NAME}}; {@code KEY_file: PATH} is {@code KEY: {file: PATH}}; and {@code source_password_file: PATH}
 * (any option that takes a DSN) adds the password in PATH to that DSN. Such values are masked wherever the
 * configuration is shown.
 *
 * <p>The whole file is read and checked once, before any command runs: a key that no command in its scope takes is
 * an error that names the closest valid key.
 */
public final class ConfigFile {
    /** A resolved value, and whether it is a secret (from a file or the environment, or a password). */
    public record Value(String text, boolean secret) {}

    /**
     * Options only the command line gives, never a file or the environment: those that choose the file or print
     * and exit, and {@code --drop}, which removes a sync and must not come from a file every run reads.
     */
    public static final List<String> COMMAND_LINE_ONLY = List.of("config", "help", "version", "drop");

    private static final String FILE = "-file";
    private static final String PASSWORD_FILE = "-password-file";

    private final Path path;
    private final JsonNode root;
    /** Values by scope: "" for the top level, else a command's name. */
    private final Map<String, Map<String, Value>> scopes = new LinkedHashMap<>();

    private ConfigFile(Path path, JsonNode root) {
        this.path = path;
        this.root = root;
    }

    public Path path() {
        return path;
    }

    /**
     * Reads and checks {@code path} against the commands of {@code top}.
     *
     * @param sectionKeys keys of a command's own that are not option values ({@code scan}'s {@code databases}), by
     *     command name
     * @throws PgFerryException for an unreadable file, one that is not a YAML mapping, an unknown key or a value
     *     that is neither a value, a list nor a secret reference
     */
    public static ConfigFile read(
            Path path, CommandLine top, Map<String, List<String>> sectionKeys, Map<String, String> env) {
        JsonNode root = parse(path);
        if (root == null || !root.isObject()) {
            throw PgFerryException.fatal(
                    "configuration file " + path + " is not a YAML mapping of option names to values",
                    "write one option per line, e.g. workers: 8");
        }
        ConfigFile f = new ConfigFile(path, root);
        List<String> allSections =
                sectionKeys.values().stream().flatMap(List::stream).toList();
        Map<String, JsonNode> sections = new LinkedHashMap<>();
        Map<String, JsonNode> shared = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String key = e.getKey();
            if (top.getSubcommands().containsKey(key) && e.getValue().isObject()) {
                sections.put(key, e.getValue());
            } else if (!allSections.contains(key)) {
                shared.put(key, e.getValue());
            }
        }
        f.scopes.put("", f.values(shared, options(top), "", env));
        for (Map.Entry<String, JsonNode> s : sections.entrySet()) {
            CommandLine command = top.getSubcommands().get(s.getKey());
            List<String> own = sectionKeys.getOrDefault(s.getKey(), List.of());
            Map<String, JsonNode> values = new LinkedHashMap<>();
            s.getValue().properties().forEach(e -> {
                if (!own.contains(e.getKey())) {
                    values.put(e.getKey(), e.getValue());
                }
            });
            f.scopes.put(s.getKey(), f.values(values, options(command), s.getKey(), env));
        }
        return f;
    }

    /**
     * The YAML document in {@code path}, or null for an empty file.
     *
     * @throws PgFerryException when the file cannot be read or is not YAML
     */
    public static JsonNode parse(Path path) {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(path));
        } catch (JsonProcessingException e) {
            // The parser's message spans several lines, each problem followed by an excerpt of the file: keep the
            // problems, with the place of the last. Not the excerpts, nor the exception as a cause (a stack trace
            // prints its message): the line may hold a password.
            String problems = String.join(
                    "; ",
                    e.getOriginalMessage()
                            .lines()
                            .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                            .toList());
            JsonLocation at = e.getLocation();
            throw PgFerryException.fatal(
                    "configuration file " + path + " is not valid YAML"
                            + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                            + ": " + problems,
                    "correct the YAML there (a value holding ': ' or ' #', or starting with one of [ ] { } * & ! | >"
                            + " ' \" % @ `, needs quotes)");
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "cannot read configuration file " + path + ": "
                            + e.getMessage().lines().findFirst().orElse(""),
                    "check the path, and that the file is YAML");
        }
    }

    /** The option values {@code command} gets: the shared ones it takes, then its section's. */
    public Map<String, Value> valuesFor(CommandLine command) {
        Set<String> takes = new TreeSet<>();
        for (OptionSpec o : command.getCommandSpec().options()) {
            takes.add(name(o));
        }
        Map<String, Value> out = new LinkedHashMap<>();
        scopes.get("").forEach((k, v) -> {
            if (takes.contains(k)) {
                out.put(k, v);
            }
        });
        CommandLine top = command;
        while (top.getParent() != null && top.getParent().getParent() != null) {
            top = top.getParent();
        }
        Map<String, Value> section = scopes.get(top.getCommandName());
        if (section != null) {
            section.forEach((k, v) -> {
                if (takes.contains(k)) {
                    out.put(k, v);
                }
            });
        }
        return out;
    }

    /** The node {@code key} of {@code command}'s section, else of the top level; null when neither has it. */
    public JsonNode node(String command, String key) {
        JsonNode section = root.get(command);
        if (section != null && section.isObject() && section.has(key)) {
            return section.get(key);
        }
        return root.get(key);
    }

    /** Whether the file has a section for {@code command}. */
    public boolean hasSection(String command) {
        return scopes.containsKey(command);
    }

    /** The shared keys, as the file spells them after normalising. */
    public Set<String> sharedKeys() {
        return scopes.get("").keySet();
    }

    private Map<String, Value> values(
            Map<String, JsonNode> nodes, Map<String, OptionSpec> options, String scope, Map<String, String> env) {
        Map<String, Value> out = new LinkedHashMap<>();
        Map<String, String> passwords = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : nodes.entrySet()) {
            String key = e.getKey().replace('_', '-');
            String where = (scope.isEmpty() ? "" : scope + ".") + e.getKey();
            if (options.containsKey(key) && !COMMAND_LINE_ONLY.contains(key)) {
                out.put(key, value(e.getValue(), where, env));
            } else if (key.endsWith(PASSWORD_FILE) && isDsn(options.get(stem(key, PASSWORD_FILE)))) {
                passwords.put(stem(key, PASSWORD_FILE), readSecret(Path.of(scalar(e.getValue(), where)), where));
            } else if (key.endsWith(FILE) && options.containsKey(stem(key, FILE))) {
                out.put(stem(key, FILE), new Value(readSecret(Path.of(scalar(e.getValue(), where)), where), true));
            } else {
                throw unknown(where, key, options.keySet(), scope);
            }
        }
        for (Map.Entry<String, String> p : passwords.entrySet()) {
            Value dsn = out.get(p.getKey());
            String where = (scope.isEmpty() ? "" : scope + ".") + p.getKey();
            if (dsn == null) {
                throw PgFerryException.fatal(
                        path + ": " + where + "_password_file is given but " + where + " is not",
                        "give " + p.getKey() + ": in the same place, without the password");
            }
            try {
                out.put(p.getKey(), new Value(Dsn.withPassword(dsn.text(), p.getValue()), true));
            } catch (PgFerryException ex) {
                throw PgFerryException.fatal(path + ": " + where + ": " + ex.problem(), ex.fix());
            }
        }
        return out;
    }

    private PgFerryException unknown(String where, String key, Set<String> valid, String scope) {
        String closest = Suggestions.closest(key, valid);
        return PgFerryException.fatal(
                "unknown key '" + where + "' in " + path + ": "
                        + (scope.isEmpty()
                                ? "no pgferry command takes it"
                                : "pgferry " + scope + " takes no such option"),
                (closest == null ? "" : "did you mean '" + closest + "'? ")
                        + "use the command's long option names without dashes (see --help), e.g. copy-mode: none");
    }

    private Value value(JsonNode v, String where, Map<String, String> env) {
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(item -> items.add(item.asText()));
            return new Value(String.join(",", items), false);
        }
        if (v.isObject() && v.size() == 1 && v.has("file")) {
            return new Value(readSecret(Path.of(scalar(v.get("file"), where + ".file")), where), true);
        }
        if (v.isObject() && v.size() == 1 && v.has("env")) {
            String name = scalar(v.get("env"), where + ".env");
            String value = env.get(name);
            if (value == null || value.isEmpty()) {
                throw PgFerryException.fatal(
                        path + ": " + where + " names the environment variable " + name + ", which is not set",
                        "export " + name + " before starting, or give the value another way");
            }
            return new Value(value, true);
        }
        return new Value(scalar(v, where), false);
    }

    private String scalar(JsonNode v, String where) {
        if (v == null || !v.isValueNode() || v.isNull()) {
            throw PgFerryException.fatal(
                    "key '" + where + "' in " + path + " is not a value, a list, {file: PATH} or {env: NAME}",
                    "give a single value, a list of values, or a reference to a secret");
        }
        return v.asText();
    }

    private String readSecret(Path file, String where) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    path + ": " + where + " names the file " + file + ", which cannot be read ("
                            + e.getClass().getSimpleName() + ")",
                    "check the path and that pgferry's user may read it");
        }
    }

    /** Every long option of {@code cl} and of the commands under it, by name without dashes. */
    private static Map<String, OptionSpec> options(CommandLine cl) {
        Map<String, OptionSpec> out = new LinkedHashMap<>();
        for (OptionSpec o : cl.getCommandSpec().options()) {
            if (o.longestName().startsWith("--")) {
                out.putIfAbsent(name(o), o);
            }
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            options(sub).forEach(out::putIfAbsent);
        }
        return out;
    }

    public static String name(OptionSpec o) {
        return o.longestName().startsWith("--") ? o.longestName().substring(2) : o.longestName();
    }

    public static boolean isDsn(OptionSpec o) {
        return o != null && "DSN".equals(o.paramLabel());
    }

    private static String stem(String key, String suffix) {
        return key.substring(0, key.length() - suffix.length());
    }
}
