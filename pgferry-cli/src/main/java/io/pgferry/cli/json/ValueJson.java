package io.pgferry.cli.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.value.JsonKind;
import io.pgferry.core.value.PgArray;
import io.pgferry.core.value.PgValues;
import io.pgferry.core.value.TypeResolver;
import java.io.IOException;
import java.util.List;

/**
 * The JSON encoding of one column value: JSON null for NULL; numbers for integer types and finite floats; the
 * strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} for non-finite floats; booleans; json and jsonb
 * embedded as JSON; arrays as JSON arrays of the same encoding; everything else (numeric, timestamps, bytea, uuid,
 * interval, ...) as PostgreSQL's exact text output. Works from the text form, so nothing is re-formatted.
 *
 * <p>Scalars sent in text format are written straight from the message's bytes, without making a String: Jackson
 * escapes them exactly as it escapes a String. Not thread-safe (it keeps a scratch buffer).
 */
final class ValueJson {
    private char[] scratch = new char[32];

    void write(JsonGenerator g, Row row, int i, JsonKind kind) throws IOException {
        TupleData data = row.tuple();
        byte format = data.kind(i);
        if (format == TupleData.NULL) {
            g.writeNull();
            return;
        }
        if (format == TupleData.TEXT && writeText(g, kind, data.buffer(), data.offset(i), data.length(i))) {
            return;
        }
        int oid = row.column(i).typeOid();
        write(g, kind, oid, row.text(i), row.types());
    }

    /** Writes a text-format scalar from its bytes; false (nothing written) for the kinds that need a String. */
    private boolean writeText(JsonGenerator g, JsonKind kind, byte[] b, int off, int len) throws IOException {
        switch (kind) {
            case STRING -> {
                if (!isAscii(b, off, len)) {
                    return false;
                }
                g.writeUTF8String(b, off, len);
            }
            case NUMBER -> writeNumber(g, b, off, len);
            case FLOAT -> {
                if (is(b, off, len, "NaN") || is(b, off, len, "Infinity") || is(b, off, len, "-Infinity")) {
                    g.writeUTF8String(b, off, len);
                } else {
                    writeNumber(g, b, off, len);
                }
            }
            case BOOLEAN -> g.writeBoolean(is(b, off, len, "t") || is(b, off, len, "true"));
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Only ASCII goes the byte way: other bytes are taken through a String, so that text that is not valid UTF-8
     * (possible from a SQL_ASCII database) is still written as valid UTF-8, with replacement characters.
     */
    private static boolean isAscii(byte[] b, int off, int len) {
        for (int j = off, end = off + len; j < end; j++) {
            if (b[j] < 0) {
                return false;
            }
        }
        return true;
    }

    /** The server's text output of a number is ASCII, so each byte is one char. */
    private void writeNumber(JsonGenerator g, byte[] b, int off, int len) throws IOException {
        if (scratch.length < len) {
            scratch = new char[Math.max(len, 2 * scratch.length)];
        }
        for (int j = 0; j < len; j++) {
            scratch[j] = (char) (b[off + j] & 0xFF);
        }
        g.writeNumber(scratch, 0, len);
    }

    private static boolean is(byte[] b, int off, int len, String ascii) {
        if (len != ascii.length()) {
            return false;
        }
        for (int j = 0; j < len; j++) {
            if (b[off + j] != ascii.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    private static void write(JsonGenerator g, JsonKind kind, int oid, String text, TypeResolver types)
            throws IOException {
        switch (kind) {
            case NUMBER -> g.writeNumber(text);
            case FLOAT -> {
                if (text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity")) {
                    g.writeString(text);
                } else {
                    g.writeNumber(text);
                }
            }
            case BOOLEAN -> g.writeBoolean(text.equals("t") || text.equals("true"));
            case JSON -> g.writeRawValue(oneLine(text));
            case ARRAY -> {
                PgArray array = PgValues.arrayOfTexts(oid, text, types);
                int element = array.elementOid();
                elements(g, array.elements(), PgValues.jsonKind(element, types), element, types);
            }
            case STRING -> g.writeString(text);
        }
    }

    /**
     * json keeps the whitespace of its input, newlines included, and a raw newline would split the JSON line. In
     * JSON text a CR or LF can only be insignificant whitespace (inside strings they must be escaped, and the server
     * validated the value on input), so turning them into spaces changes nothing a JSON reader sees.
     */
    private static String oneLine(String json) {
        return json.indexOf('\n') < 0 && json.indexOf('\r') < 0
                ? json
                : json.replace('\n', ' ').replace('\r', ' ');
    }

    private static void elements(JsonGenerator g, List<?> elements, JsonKind kind, int oid, TypeResolver types)
            throws IOException {
        g.writeStartArray();
        for (Object e : elements) {
            if (e == null) {
                g.writeNull();
            } else if (e instanceof List<?> nested) {
                elements(g, nested, kind, oid, types);
            } else {
                write(g, kind, oid, (String) e, types);
            }
        }
        g.writeEndArray();
    }
}
