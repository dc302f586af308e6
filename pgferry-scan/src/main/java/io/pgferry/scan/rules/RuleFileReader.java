package io.pgferry.scan.rules;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.pgferry.core.PgFerryException;
import io.pgferry.scan.detect.Detector;
import io.pgferry.scan.detect.Detectors;
import io.pgferry.scan.detect.RegexDetector;
import io.pgferry.scan.detect.Validator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a rule file in pgsense-rs's format ({@code [[rules]]} tables in TOML, or a {@code rules:} list in YAML) and
 * checks all of it: a field no rule knows, a missing pattern, a pattern RE2 cannot compile, an unknown validator or
 * detector, a duplicate id each refuse the whole file, with the rule's id (or position) and the fix. Nothing is ever
 * half-loaded.
 */
final class RuleFileReader {
    private static final Set<String> TOP = Set.of("rules");
    private static final Set<String> RULE_FIELDS = Set.of(
            "id",
            "description",
            "category",
            "severity",
            "type",
            "pattern",
            "validate",
            "builtin",
            "allowlist",
            "scope",
            "channels",
            "keywords",
            "script");
    private static final Set<String> ALLOWLIST_FIELDS = Set.of("description", "values", "patterns");
    private static final Set<String> SCOPE_FIELDS =
            Set.of("include_schemas", "include_tables", "exclude_tables", "include_columns", "exclude_columns");

    private final String origin;
    private final Detectors detectors;

    RuleFileReader(String origin, Detectors detectors) {
        this.origin = origin;
        this.detectors = detectors;
    }

    /** The file's format, by its name. */
    enum Format {
        TOML,
        YAML;

        static Format of(String fileName) {
            String n = fileName.toLowerCase(java.util.Locale.ROOT);
            if (n.endsWith(".toml")) {
                return TOML;
            }
            if (n.endsWith(".yaml") || n.endsWith(".yml")) {
                return YAML;
            }
            return null;
        }
    }

    List<Rule> read(String content, Format format) {
        JsonNode root;
        try {
            ObjectMapper mapper = format == Format.TOML ? new TomlMapper() : new YAMLMapper();
            root = mapper.readTree(content);
        } catch (JacksonException e) {
            throw refuse(
                    "is not valid " + format + ": "
                            + e.getOriginalMessage().lines().findFirst().orElse(""),
                    "fix the syntax near line "
                            + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()));
        }
        if (root == null || root.isMissingNode() || root.isNull() || !root.isObject()) {
            throw refuse("holds no rules", "list them under rules (" + example(format) + ")");
        }
        unknownFields(root, TOP, "the file");
        JsonNode list = root.get("rules");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw refuse("holds no rules", "list them under rules (" + example(format) + ")");
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int position = 0;
        for (JsonNode node : list) {
            position++;
            Rule r = rule(node, position);
            if (!ids.add(r.id())) {
                throw refuse("has two rules with id " + r.id(), "give every rule its own id");
            }
            rules.add(r);
        }
        return rules;
    }

    private static String example(Format f) {
        return f == Format.TOML ? "[[rules]] tables" : "a rules: list";
    }

    private Rule rule(JsonNode node, int position) {
        if (!node.isObject()) {
            throw refuse("rule #" + position + " is not a table", "write each rule as a table of fields");
        }
        String id = text(node, "id", null, "rule #" + position);
        if (id == null || id.isBlank()) {
            throw refuse("rule #" + position + " has no id", "give it id = \"...\"");
        }
        String where = "rule " + id;
        unknownFields(node, RULE_FIELDS, where);
        String type = text(node, "type", "regex", where);
        String severityText = text(node, "severity", null, where);
        if (severityText == null) {
            throw refuse(where + " has no severity", "set severity to critical, high, medium, low or info");
        }
        Severity severity = Severity.parse(severityText);
        if (severity == null) {
            throw refuse(
                    where + " has severity " + quoted(severityText),
                    "set severity to critical, high, medium, low or info");
        }
        String definition;
        Detector detector;
        switch (type) {
            case "regex" -> {
                definition = text(node, "pattern", null, where);
                if (definition == null || definition.isEmpty()) {
                    throw refuse(where + " is a regex rule without a pattern", "give it pattern = '...'");
                }
                if (node.has("builtin")) {
                    throw refuse(where + " is a regex rule with builtin", "set type = \"builtin\" or drop builtin");
                }
                detector = new RegexDetector(compile(definition, where + " pattern"), validator(node, where));
            }
            case "builtin" -> {
                definition = text(node, "builtin", null, where);
                if (definition == null) {
                    throw refuse(where + " is a builtin rule without builtin", "name one of " + detectors.names());
                }
                if (node.has("pattern") || node.has("validate")) {
                    throw refuse(
                            where + " is a builtin rule with pattern or validate",
                            "drop them, or set type = \"regex\"");
                }
                detector = detectors.create(definition);
                if (detector == null) {
                    throw refuse(
                            where + " names builtin " + quoted(definition) + ", which no detector has",
                            "name one of " + detectors.names() + ", or add a DetectorProvider to the class path");
                }
            }
            case "script" -> throw refuse(
                    where + " is a script rule, which pgferry does not run",
                    "write the detector in Java (a DetectorProvider) and name it with type = \"builtin\"");
            default -> throw refuse(where + " has type " + quoted(type), "set type to regex or builtin");
        }
        return new Rule(
                id,
                text(node, "description", id, where),
                text(node, "category", "CUSTOM", where),
                severity,
                type,
                definition,
                detector,
                allowlist(node.get("allowlist"), where),
                scope(node.get("scope"), where),
                strings(node, "channels", where),
                strings(node, "keywords", where));
    }

    private Validator validator(JsonNode node, String where) {
        String name = text(node, "validate", null, where);
        if (name == null) {
            return null;
        }
        Validator v = Validator.ALL.get(name);
        if (v == null) {
            throw refuse(where + " has validate " + quoted(name), "use one of " + Validator.names());
        }
        return v;
    }

    private Allowlist allowlist(JsonNode node, String where) {
        if (node == null) {
            return Allowlist.NONE;
        }
        String at = where + " allowlist";
        if (!node.isObject()) {
            throw refuse(at + " is not a table", "give it values = [...] and/or patterns = [...]");
        }
        unknownFields(node, ALLOWLIST_FIELDS, at);
        List<Pattern> patterns = new ArrayList<>();
        for (String p : strings(node, "patterns", at)) {
            patterns.add(compile(p, at + " pattern"));
        }
        return new Allowlist(Set.copyOf(strings(node, "values", at)), patterns);
    }

    private Scope scope(JsonNode node, String where) {
        if (node == null) {
            return Scope.ALL;
        }
        String at = where + " scope";
        if (!node.isObject()) {
            throw refuse(at + " is not a table", "give it include_tables = [...] and the like");
        }
        unknownFields(node, SCOPE_FIELDS, at);
        return Scope.of(
                strings(node, "include_schemas", at),
                strings(node, "include_tables", at),
                strings(node, "exclude_tables", at),
                strings(node, "include_columns", at),
                strings(node, "exclude_columns", at));
    }

    private Pattern compile(String pattern, String what) {
        try {
            return Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw refuse(
                    what + " does not compile: " + e.getDescription(),
                    "write it in RE2 syntax (no look-around, no back-references)");
        }
    }

    private String text(JsonNode node, String field, String otherwise, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return otherwise;
        }
        if (!v.isTextual()) {
            throw refuse(where + " field " + field + " is not a string", "quote its value");
        }
        return v.asText();
    }

    private List<String> strings(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw refuse(where + " field " + field + " is not a list", "write it as [\"a\", \"b\"]");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw refuse(where + " field " + field + " holds a non-string", "quote every element");
            }
            out.add(e.asText());
        }
        return out;
    }

    private void unknownFields(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw refuse(
                        where + " has unknown field " + quoted(f),
                        "remove it or correct its name (known: "
                                + known.stream().sorted().toList() + ")");
            }
        }
    }

    private static String quoted(String s) {
        return "'" + s + "'";
    }

    private PgFerryException refuse(String problem, String fix) {
        return PgFerryException.fatal("rule file " + origin + " " + problem, fix);
    }
}
