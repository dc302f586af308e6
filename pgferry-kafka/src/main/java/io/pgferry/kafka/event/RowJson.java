package io.pgferry.kafka.event;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.core.event.Row;
import java.io.IOException;

/**
 * Writes a row, or its key, as the struct payload of its table's {@link TableShape}: every column by name, in table
 * order. NULL is JSON null; a value the server did not send (unchanged TOAST) is Debezium's placeholder ({@link
 * ValueWriter#writeUnavailable}); in an old row that carries only the key, the other columns are null.
 */
final class RowJson {
    private RowJson() {}

    static void row(JsonGenerator g, TableShape shape, Row row) throws IOException {
        g.writeStartObject();
        boolean keyOnly = row.isKeyOnly();
        for (int i = 0; i < shape.size(); i++) {
            g.writeFieldName(shape.fieldName(i));
            if (keyOnly && !shape.isKey(i)) {
                g.writeNull();
            } else {
                value(g, shape, row, i);
            }
        }
        g.writeEndObject();
    }

    /**
     * The key columns of {@code row}. A key column whose value was not sent (a TOASTed key that did not change) is
     * taken from {@code old}, the old key the server sends in that case, when it has it.
     */
    static void key(JsonGenerator g, TableShape shape, Row row, Row old) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < shape.size(); i++) {
            if (shape.isKey(i)) {
                g.writeFieldName(shape.fieldName(i));
                Row from = row.isUnchangedToast(i) && old != null && !old.isUnchangedToast(i) ? old : row;
                value(g, shape, from, i);
            }
        }
        g.writeEndObject();
    }

    private static void value(JsonGenerator g, TableShape shape, Row row, int i) throws IOException {
        if (row.isUnchangedToast(i)) {
            ValueWriter.writeUnavailable(g, shape.columnType(i));
        } else if (row.isNull(i)) {
            g.writeNull();
        } else {
            ValueWriter.write(g, shape.columnType(i), shape.columnOid(i), row.text(i), row.types());
        }
    }
}
