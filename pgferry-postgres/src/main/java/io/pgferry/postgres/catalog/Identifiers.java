package io.pgferry.postgres.catalog;

import java.util.regex.Pattern;

/**
 * Quoting of SQL identifiers for statements pgferry builds and for the fixes it prints.
 *
 * <p>Every identifier is always double-quoted, with embedded double quotes doubled, so that mixed case, spaces,
 * dots, quotes, unicode and reserved words all survive unchanged. See the PostgreSQL docs, "Identifiers and Key
 * Words" (4.1.1). Values are never quoted this way: they go in bind parameters.
 */
public final class Identifiers {
    /** An identifier PostgreSQL would accept unquoted and leave unchanged (ignoring reserved words). */
    private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_$]*");

    private Identifiers() {}

    /**
     * Returns {@code identifier} as a quoted SQL identifier.
     *
     * @throws IllegalArgumentException if it is empty or contains a NUL character, which PostgreSQL never accepts
     */
    public static String quote(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("an SQL identifier cannot be empty");
        }
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an SQL identifier cannot contain a NUL character");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Returns {@code "schema"."table"}, each part quoted. */
    public static String qualified(String schema, String table) {
        return quote(schema) + '.' + quote(table);
    }

    /**
     * Text the user gave, fit to echo in a one-line message: at most 40 characters, control characters shown as
     * {@code ?}.
     */
    public static String echo(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(cp -> out.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
        return out.toString();
    }

    /**
     * {@code identifier} as a person would type it: bare when PostgreSQL would read it back unchanged, quoted
     * otherwise. For messages only; SQL always uses {@link #quote}.
     */
    public static String display(String identifier) {
        return PLAIN.matcher(identifier).matches() ? identifier : quote(identifier);
    }
}
