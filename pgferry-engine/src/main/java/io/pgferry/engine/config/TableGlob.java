package io.pgferry.engine.config;

import io.pgferry.postgres.catalog.TableName;
import java.util.regex.Pattern;

/**
 * A table pattern: {@code schema.table} where each part may hold {@code *} (any run of characters) and {@code ?}
 * (one character); a pattern without a dot names tables of schema {@code public}. Parts are matched against names
 * exactly as stored, case-sensitively; a part in double quotes is taken literally (wildcards included).
 */
public record TableGlob(String text, Pattern schema, Pattern table) {

    public static TableGlob parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw SyncConfig.bad("tables", "empty table pattern", "write schema.table, with * and ? as wildcards");
        }
        int dot = splitPoint(t);
        String schemaPart = dot < 0 ? TableName.DEFAULT_SCHEMA : t.substring(0, dot);
        String tablePart = dot < 0 ? t : t.substring(dot + 1);
        if (schemaPart.isEmpty() || tablePart.isEmpty()) {
            throw SyncConfig.bad(
                    "tables", "table pattern '" + text + "' has an empty part", "write schema.table, e.g. public.*");
        }
        return new TableGlob(t, compile(schemaPart, text), compile(tablePart, text));
    }

    public boolean matches(TableName name) {
        return schema.matcher(name.schema()).matches()
                && table.matcher(name.name()).matches();
    }

    /** The dot between schema and table, outside double quotes; -1 if none. */
    private static int splitPoint(String t) {
        boolean quoted = false;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static Pattern compile(String part, String whole) {
        StringBuilder re = new StringBuilder();
        if (part.length() >= 2 && part.startsWith("\"") && part.endsWith("\"")) {
            return Pattern.compile(
                    Pattern.quote(part.substring(1, part.length() - 1).replace("\"\"", "\"")));
        }
        if (part.contains("\"")) {
            throw SyncConfig.bad(
                    "tables",
                    "table pattern '" + whole + "' has a quote inside a part",
                    "quote a whole part: \"My Schema\".*");
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
