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
            case JSON -> g.writeRawValue(text);
            case ARRAY -> {
                PgArray array = PgValues.arrayOfTexts(oid, text, types);
                int element = array.elementOid();
                elements(g, array.elements(), PgValues.jsonKind(element, types), element, types);
            }
            case STRING -> g.writeString(text);
        }
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
