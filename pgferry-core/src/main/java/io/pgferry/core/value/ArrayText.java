package io.pgferry.core.value;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The array text form (PostgreSQL docs, "Arrays", section "Array Value Input" and "Array Input and Output
 * Syntax"; src/backend/utils/adt/arrayfuncs.c): nested braces, one level per dimension; elements separated by the
 * element type's delimiter; an element double-quoted when it is empty, spells NULL in any case, or contains a double
 * quote, backslash, brace, the delimiter or white space (space, tab, LF, CR, VT, FF), with backslash before each
 * double quote and backslash inside the quotes; an unquoted {@code NULL} is a NULL element; and a
 * {@code [lower:upper]...=} prefix when some lower bound is not 1. An empty array is {@code {}}.
 */
final class ArrayText {
    private static final int MAX_DIMS = 6;
    /** Marks a NULL element while the structure is parsed, before elements are decoded. */
    private static final Object NULL = new Object();

    private final String s;
    private final char delim;
    private int pos;

    private ArrayText(String s, char delim) {
        this.s = s;
        this.delim = delim;
    }

    /** Parses the text; each non-NULL element's text (quotes and escapes removed) goes through {@code element}. */
    static PgArray parse(String text, int elementOid, char delim, Function<String, Object> element) {
        ArrayText p = new ArrayText(text, delim);
        List<int[]> bounds = p.parseBounds();
        p.skipSpace();
        List<Object> raw = p.parseLevel(1);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw new BadValueException("array text continues after its closing brace");
        }
        List<Integer> dims = new ArrayList<>();
        Object level = raw;
        while (!raw.isEmpty() && level instanceof List<?> l) {
            if (l.isEmpty()) {
                throw new BadValueException("array has an empty sub-array");
            }
            dims.add(l.size());
            level = l.get(0);
        }
        List<Integer> lower = new ArrayList<>();
        if (bounds != null) {
            if (bounds.size() != dims.size()) {
                throw new BadValueException("array bounds prefix does not match the number of dimensions");
            }
            for (int i = 0; i < dims.size(); i++) {
                int[] b = bounds.get(i);
                if ((long) b[1] - b[0] + 1 != dims.get(i)) {
                    throw new BadValueException("array bounds prefix does not match dimension " + (i + 1));
                }
                lower.add(b[0]);
            }
        } else {
            for (int i = 0; i < dims.size(); i++) {
                lower.add(1);
            }
        }
        List<Object> elements = convert(raw, dims, 0, element);
        return new PgArray(elementOid, dims, lower, elements);
    }

    /** Checks the nesting is rectangular and decodes the leaves; unmodifiable lists at every level. */
    private static List<Object> convert(
            List<?> level, List<Integer> dims, int depth, Function<String, Object> element) {
        if (dims.isEmpty()) {
            return List.of();
        }
        if (level.size() != dims.get(depth)) {
            throw new BadValueException("array is not rectangular: dimension " + (depth + 1) + " varies");
        }
        List<Object> out = new ArrayList<>(level.size());
        boolean leaf = depth == dims.size() - 1;
        for (Object o : level) {
            if (leaf) {
                if (o instanceof List) {
                    throw new BadValueException("array is not rectangular: nesting depth varies");
                }
                out.add(o == NULL ? null : element.apply((String) o));
            } else {
                if (!(o instanceof List<?> sub)) {
                    throw new BadValueException("array is not rectangular: nesting depth varies");
                }
                out.add(convert(sub, dims, depth + 1, element));
            }
        }
        return Collections.unmodifiableList(out);
    }

    private List<int[]> parseBounds() {
        skipSpace();
        if (pos >= s.length() || s.charAt(pos) != '[') {
            return null;
        }
        List<int[]> bounds = new ArrayList<>();
        while (pos < s.length() && s.charAt(pos) == '[') {
            pos++;
            int first = parseInt();
            int lower = 1;
            int upper = first;
            if (pos < s.length() && s.charAt(pos) == ':') {
                pos++;
                lower = first;
                upper = parseInt();
            }
            expect(']');
            if (bounds.size() == MAX_DIMS) {
                throw new BadValueException("array has more than " + MAX_DIMS + " dimensions");
            }
            bounds.add(new int[] {lower, upper});
        }
        skipSpace();
        expect('=');
        return bounds;
    }

    private int parseInt() {
        int start = pos;
        if (pos < s.length() && (s.charAt(pos) == '-' || s.charAt(pos) == '+')) {
            pos++;
        }
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        try {
            return Integer.parseInt(s, start, pos, 10);
        } catch (NumberFormatException e) {
            throw new BadValueException("array bound is not an integer");
        }
    }

    private List<Object> parseLevel(int depth) {
        if (depth > MAX_DIMS) {
            throw new BadValueException("array has more than " + MAX_DIMS + " dimensions");
        }
        expect('{');
        List<Object> items = new ArrayList<>();
        skipSpace();
        if (pos < s.length() && s.charAt(pos) == '}') {
            pos++;
            return items;
        }
        while (true) {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '{') {
                items.add(parseLevel(depth + 1));
            } else {
                items.add(parseElement());
            }
            skipSpace();
            if (pos >= s.length()) {
                throw new BadValueException("array text ends inside braces");
            }
            char c = s.charAt(pos++);
            if (c == '}') {
                return items;
            }
            if (c != delim) {
                throw new BadValueException("unexpected character between array elements");
            }
        }
    }

    /** A quoted or unquoted element: its text, or {@link #NULL}. */
    private Object parseElement() {
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        boolean escaped = false;
        if (pos < s.length() && s.charAt(pos) == '"') {
            quoted = true;
            pos++;
            while (true) {
                if (pos >= s.length()) {
                    throw new BadValueException("array text ends inside a quoted element");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    if (pos >= s.length()) {
                        throw new BadValueException("array text ends after a backslash");
                    }
                    c = s.charAt(pos++);
                }
                sb.append(c);
            }
        }
        // Unquoted: up to the delimiter or closing brace; trailing white space is not part of it unless escaped.
        int keep = 0;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == delim || c == '}') {
                break;
            }
            if (c == '{' || c == '"') {
                throw new BadValueException("unexpected brace or quote inside an unquoted array element");
            }
            pos++;
            if (c == '\\') {
                if (pos >= s.length()) {
                    throw new BadValueException("array text ends after a backslash");
                }
                sb.append(s.charAt(pos++));
                escaped = true;
                keep = sb.length();
            } else {
                sb.append(c);
                if (!isSpace(c)) {
                    keep = sb.length();
                }
            }
        }
        sb.setLength(keep);
        if (sb.length() == 0 && !quoted) {
            throw new BadValueException("empty unquoted array element");
        }
        String v = sb.toString();
        if (!escaped && isNullWord(v)) {
            return NULL;
        }
        return v;
    }

    private void skipSpace() {
        while (pos < s.length() && isSpace(s.charAt(pos))) {
            pos++;
        }
    }

    private void expect(char c) {
        if (pos >= s.length() || s.charAt(pos) != c) {
            throw new BadValueException("array text lacks an expected '" + c + "'");
        }
        pos++;
    }

    /** "NULL" in any ASCII case, as pg_strcasecmp compares. */
    private static boolean isNullWord(String v) {
        return v.length() == 4
                && "NULL".regionMatches(true, 0, v, 0, 4)
                && v.chars().allMatch(c -> c < 128);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\u000B' || c == '\f';
    }

    /** PostgreSQL's array_out for a value whose elements render through {@code element} (never given null). */
    static String render(PgArray a, char delim, Function<Object, String> element) {
        if (a.dims().isEmpty()) {
            return "{}";
        }
        StringBuilder sb = new StringBuilder();
        boolean decorate = false;
        for (int lb : a.lowerBounds()) {
            decorate |= lb != 1;
        }
        if (decorate) {
            for (int i = 0; i < a.dims().size(); i++) {
                int lb = a.lowerBounds().get(i);
                sb.append('[')
                        .append(lb)
                        .append(':')
                        .append(lb + a.dims().get(i) - 1)
                        .append(']');
            }
            sb.append('=');
        }
        renderLevel(sb, a.elements(), a.dims().size(), delim, element);
        return sb.toString();
    }

    private static void renderLevel(
            StringBuilder sb, List<?> level, int depth, char delim, Function<Object, String> element) {
        sb.append('{');
        for (int i = 0; i < level.size(); i++) {
            if (i > 0) {
                sb.append(delim);
            }
            Object o = level.get(i);
            if (depth > 1) {
                renderLevel(sb, (List<?>) o, depth - 1, delim, element);
            } else if (o == null) {
                sb.append("NULL");
            } else {
                appendElement(sb, element.apply(o), delim);
            }
        }
        sb.append('}');
    }

    private static void appendElement(StringBuilder sb, String v, char delim) {
        boolean quote = v.isEmpty() || isNullWord(v);
        for (int i = 0; i < v.length() && !quote; i++) {
            char c = v.charAt(i);
            quote = c == '"' || c == '\\' || c == '{' || c == '}' || c == delim || isSpace(c);
        }
        if (!quote) {
            sb.append(v);
            return;
        }
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append('"');
    }
}
