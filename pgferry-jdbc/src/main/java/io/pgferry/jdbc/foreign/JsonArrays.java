package io.pgferry.jdbc.foreign;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.core.value.PgArray;
import io.pgferry.core.value.PgValues;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A PostgreSQL array as JSON, for destinations without arrays: nested JSON arrays by dimension (lower bounds other
 * than 1 are not kept), NULL elements as {@code null}, numbers and booleans as JSON numbers and booleans (numeric's
 * exact text, never a float; NaN and infinities as strings), json elements as JSON, every other element as its
 * PostgreSQL text.
 */
final class JsonArrays {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonArrays() {}

    static String fromPgArray(int arrayTypeOid, String text) {
        PgArray a = PgValues.arrayOfTexts(arrayTypeOid, text, BuiltinTypes.builtin());
        StringWriter out = new StringWriter(text.length() + 16);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g, a.elements(), a.dimensions(), a.elementOid());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, List<?> level, int depth, int elementOid) throws IOException {
        g.writeStartArray();
        for (Object e : level) {
            if (depth > 1) {
                write(g, (List<?>) e, depth - 1, elementOid);
            } else if (e == null) {
                g.writeNull();
            } else {
                element(g, elementOid, (String) e);
            }
        }
        g.writeEndArray();
    }

    private static void element(JsonGenerator g, int oid, String text) throws IOException {
        switch (oid) {
            case BuiltinTypes.INT2, BuiltinTypes.INT4, BuiltinTypes.INT8, BuiltinTypes.OID -> g.writeNumber(text);
            case BuiltinTypes.NUMERIC, BuiltinTypes.FLOAT4, BuiltinTypes.FLOAT8 -> {
                if (text.equals("NaN") || text.endsWith("Infinity")) {
                    g.writeString(text);
                } else {
                    g.writeNumber(text);
                }
            }
            case BuiltinTypes.BOOL -> g.writeBoolean("t".equals(text));
            case BuiltinTypes.JSON, BuiltinTypes.JSONB -> g.writeRawValue(text);
            default -> g.writeString(text);
        }
    }
}
