package io.pgferry.scan.mask;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.pgferry.core.PgFerryException;
import io.pgferry.scan.Fingerprints;
import io.pgferry.scan.rules.Rule;
import io.pgferry.scan.rules.RuleSet;
import io.pgferry.scan.rules.Scope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads a mask file (YAML, or TOML by its name) into a {@link MaskPlan}, checking all of it first:
 *
 * <pre>
 * key: env:PGFERRY_MASK_KEY      # the keyed hash's secret (16 bytes or more); env:NAME, file:PATH or literal
 * rule_file: rules.toml          # scanning rules for rule masks (default: the bundled ones)
 * columns:
 *   - table: public.customers    # name or glob, table or schema.table
 *     column: email              # name or glob
 *     transform: hash            # redact, partial, hash, fixed (with value:), null
 * rules:
 *   - rule: credit-card          # a rule id
 *     transform: partial         # redact, partial or hash: each match inside text
 *     tables: ["public.*"]       # optional
 *     exclude_columns: [sku]     # optional
 * </pre>
 */
public final class MaskFile {
    private static final Set<String> TOP = Set.of("key", "rule_file", "columns", "rules");
    private static final Set<String> COLUMN = Set.of("table", "column", "transform", "value");
    private static final Set<String> RULE = Set.of("rule", "transform", "tables", "exclude_columns");

    private MaskFile() {}

    /**
     * @param secrets resolves {@code env:NAME} and {@code file:PATH} values (the key)
     * @throws PgFerryException (fatal) naming the entry and the fix when the file does not load
     */
    public static MaskPlan load(Path file, UnaryOperator<String> secrets) {
        JsonNode root;
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            root = file.getFileName().toString().endsWith(".toml")
                    ? new TomlMapper().readTree(text)
                    : new YAMLMapper().readTree(text);
        } catch (JacksonException e) {
            throw refuse(file, "is not valid YAML or TOML: " + e.getOriginalMessage(), "fix its syntax");
        } catch (IOException e) {
            throw refuse(file, "cannot be read: " + e.getMessage(), "check the path and permissions");
        }
        if (root == null || !root.isObject()) {
            throw refuse(file, "is empty", "give columns: or rules: (see docs/scan.md, Masking)");
        }
        known(root, TOP, file, "the file");
        RuleSet ruleSet = root.hasNonNull("rule_file")
                ? RuleSet.load(file.resolveSibling(root.get("rule_file").asText()))
                : RuleSet.bundled();
        List<MaskPlan.ColumnMask> columns = new ArrayList<>();
        boolean needsKey = false;
        int i = 0;
        for (JsonNode n : list(root, "columns", file)) {
            i++;
            String where = "columns #" + i;
            known(n, COLUMN, file, where);
            String table = required(n, "table", file, where);
            String column = required(n, "column", file, where);
            Transform t = transform(n, file, where);
            String value = n.hasNonNull("value") ? n.get("value").asText() : null;
            if ((t == Transform.FIXED) != (value != null)) {
                throw refuse(
                        file,
                        where + " gives value: with a transform other than fixed, or fixed without it",
                        "give value: with transform: fixed only");
            }
            needsKey |= t == Transform.HASH;
            columns.add(new MaskPlan.ColumnMask(
                    Scope.of(List.of(), List.of(table), List.of(), List.of(column), List.of()),
                    table + "." + column,
                    t,
                    value));
        }
        List<MaskPlan.RuleMask> rules = new ArrayList<>();
        i = 0;
        for (JsonNode n : list(root, "rules", file)) {
            i++;
            String where = "rules #" + i;
            known(n, RULE, file, where);
            String id = required(n, "rule", file, where);
            Rule rule = ruleSet.rule(id);
            if (rule == null) {
                throw refuse(
                        file,
                        where + " names rule " + id + ", which " + ruleSet.origin() + " does not have",
                        "name a rule of pgferry rules list, or give rule_file:");
            }
            Transform t = transform(n, file, where);
            if (!t.textual) {
                throw refuse(file, where + " masks matches with " + t.label(), "use redact, partial or hash");
            }
            needsKey |= t == Transform.HASH;
            rules.add(new MaskPlan.RuleMask(
                    rule,
                    Scope.of(List.of(), strings(n, "tables"), List.of(), List.of(), strings(n, "exclude_columns")),
                    t));
        }
        if (columns.isEmpty() && rules.isEmpty()) {
            throw refuse(file, "masks nothing", "give columns: or rules:");
        }
        Fingerprints hash = null;
        if (needsKey) {
            if (!root.hasNonNull("key")) {
                throw refuse(file, "uses transform hash without a key", "give key: env:PGFERRY_MASK_KEY (16+ bytes)");
            }
            byte[] key = secrets.apply(root.get("key").asText()).getBytes(StandardCharsets.UTF_8);
            if (key.length < 16) {
                throw refuse(file, "has a key shorter than 16 bytes", "give a longer secret");
            }
            hash = new Fingerprints(key);
        }
        return new MaskPlan(columns, rules, hash);
    }

    private static Transform transform(JsonNode n, Path file, String where) {
        String s = required(n, "transform", file, where);
        Transform t = Transform.parse(s);
        if (t == null) {
            throw refuse(file, where + " has transform '" + s + "'", "use redact, partial, hash, fixed or null");
        }
        return t;
    }

    private static Iterable<JsonNode> list(JsonNode root, String key, Path file) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw refuse(file, key + " is not a list", "write it as a list of mappings");
        }
        return v;
    }

    private static String required(JsonNode n, String key, Path file, String where) {
        if (!n.hasNonNull(key) || !n.get(key).isValueNode()) {
            throw refuse(file, where + " has no " + key, "give " + key + ":");
        }
        return n.get(key).asText();
    }

    private static List<String> strings(JsonNode n, String key) {
        List<String> out = new ArrayList<>();
        JsonNode v = n.get(key);
        if (v != null && v.isArray()) {
            v.forEach(e -> out.add(e.asText()));
        } else if (v != null && v.isValueNode()) {
            out.add(v.asText());
        }
        return out;
    }

    private static void known(JsonNode n, Set<String> keys, Path file, String where) {
        if (!n.isObject()) {
            throw refuse(file, where + " is not a mapping", "write key: value lines");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                throw refuse(
                        file,
                        where + " has unknown key '" + k + "'",
                        "use " + keys.stream().sorted().toList());
            }
        }
    }

    private static PgFerryException refuse(Path file, String problem, String fix) {
        return PgFerryException.fatal("mask file " + file + " " + problem, fix);
    }
}
