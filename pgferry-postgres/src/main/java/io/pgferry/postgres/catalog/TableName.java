package io.pgferry.postgres.catalog;

import io.pgferry.core.PgFerryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A schema-qualified table name as PostgreSQL stores it in the catalog (case exactly as in pg_class.relname).
 *
 * <p>Text forms follow SQL: {@code schema.table} or {@code table} (schema {@code public}); a part in double quotes
 * is taken verbatim ({@code "Mixed Case"."t.x"}, {@code ""} inside quotes is one quote); a bare part is folded to
 * lower case like PostgreSQL folds unquoted identifiers (ASCII letters only, as the server does for multibyte
 * encodings). See the PostgreSQL docs, "Identifiers and Key Words".
 */
public record TableName(String schema, String name) {
    public static final String DEFAULT_SCHEMA = "public";

    private static final String FIX =
            "write schema.table (or table for schema public), double-quoting parts with capitals, dots, commas or"
                    + " spaces: \"My Schema\".\"My Table\"";

    public TableName {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
        if (schema.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("schema and table name must not be empty");
        }
    }

    /**
     * Parses one table name.
     *
     * @throws PgFerryException (fatal) naming what is wrong and how to write it
     */
    public static TableName parse(String text) {
        List<TableName> names = parseList(text);
        if (names.size() != 1) {
            throw PgFerryException.fatal("invalid table name '" + text + "': expected one table", FIX);
        }
        return names.get(0);
    }

    /**
     * Parses a comma-separated list such as {@code a.b, "C".d,e}; whitespace around each name is ignored.
     *
     * @throws PgFerryException (fatal) for an empty list, an empty part, an unclosed quote or more than two parts
     */
    public static List<TableName> parseList(String text) {
        if (text == null || text.isBlank()) {
            throw PgFerryException.fatal("empty table list", FIX);
        }
        List<TableName> result = new ArrayList<>();
        Scanner scanner = new Scanner(text);
        while (true) {
            scanner.skipSpaces();
            List<String> parts = new ArrayList<>();
            parts.add(scanner.part());
            while (scanner.peek() == '.') {
                scanner.pos++;
                parts.add(scanner.part());
            }
            scanner.skipSpaces();
            if (parts.size() > 2) {
                throw scanner.error("too many dots (a table name is schema.table)");
            }
            result.add(
                    parts.size() == 1
                            ? new TableName(DEFAULT_SCHEMA, parts.get(0))
                            : new TableName(parts.get(0), parts.get(1)));
            if (scanner.atEnd()) {
                return List.copyOf(result);
            }
            if (scanner.peek() != ',') {
                throw scanner.error("unexpected '" + (char) scanner.peek() + "'");
            }
            scanner.pos++;
        }
    }

    /** {@code "schema"."table"}, for SQL. */
    public String quoted() {
        return Identifiers.qualified(schema, name);
    }

    /** {@code schema.table}, quoting only the parts that need it; {@link #parse} reads it back to an equal value. */
    @Override
    public String toString() {
        return Identifiers.display(schema) + '.' + Identifiers.display(name);
    }

    /** Cursor over the text being parsed; one instance per {@link #parseList} call. */
    private static final class Scanner {
        private final String text;
        private int pos;

        Scanner(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        int peek() {
            return atEnd() ? -1 : text.charAt(pos);
        }

        void skipSpaces() {
            while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        String part() {
            if (peek() == '"') {
                return quotedPart();
            }
            int start = pos;
            while (!atEnd()) {
                char c = text.charAt(pos);
                if (c == '.' || c == ',' || c == '"' || Character.isWhitespace(c)) {
                    break;
                }
                pos++;
            }
            if (start == pos) {
                throw error("empty name");
            }
            return foldAscii(text.substring(start, pos));
        }

        private String quotedPart() {
            StringBuilder out = new StringBuilder();
            pos++;
            while (true) {
                if (atEnd()) {
                    throw error("unclosed double quote");
                }
                char c = text.charAt(pos++);
                if (c != '"') {
                    out.append(c);
                } else if (peek() == '"') {
                    out.append('"');
                    pos++;
                } else {
                    break;
                }
            }
            if (out.length() == 0) {
                throw error("empty quoted name");
            }
            return out.toString();
        }

        PgFerryException error(String why) {
            return PgFerryException.fatal(
                    "invalid table list '" + text + "': " + why + " at position " + (pos + 1), FIX);
        }

        private static String foldAscii(String s) {
            StringBuilder out = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
            }
            return out.toString();
        }
    }
}
