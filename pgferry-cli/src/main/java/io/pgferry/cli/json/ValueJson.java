package io.pgferry.cli.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.core.event.Row;
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
 */
final class ValueJson {
    private ValueJson() {}

    static void write(JsonGenerator g, Row row, int i) throws IOException {
        if (row.isNull(i)) {
            g.writeNull();
            return;
        }
        int oid = row.column(i).typeOid();
        TypeResolver types = row.types();
        write(g, PgValues.jsonKind(oid, types), oid, row.text(i), types);
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
