package io.pgferry.kafka.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.pgferry.core.event.Relation;
import io.pgferry.core.value.TypeResolver;
import java.io.IOException;

/**
 * What the JSON records of one table need beside its {@link TableLayout}: the Connect schemas of its key and
 * envelope, rendered as JSON for the {@code schemas=true} form, and the column names, all encoded once as JSON for the
 * records of every change.
 *
 * <p>Every value field is optional: pgoutput does not say which columns are NOT NULL, and a key-only old row has
 * nulls in the others. Key fields are required.
 */
final class TableShape extends TableLayout {
    private final SerializedString[] fieldNames;
    private final SerializedString keySchema;
    private final SerializedString envelopeSchema;

    TableShape(Relation relation, TypeResolver types, Topics topics, TableFacts facts) {
        super(relation, types, topics, facts);
        this.fieldNames = new SerializedString[size()];
        for (int i = 0; i < size(); i++) {
            fieldNames[i] = new SerializedString(columnName(i));
        }
        this.keySchema = hasKey()
                ? new SerializedString(ConnectJson.render(g -> writeStruct(g, topic() + ".Key", true, false, null)))
                : null;
        this.envelopeSchema = new SerializedString(ConnectJson.render(this::writeEnvelopeSchema));
    }

    /** The column's name as a JSON field name. */
    SerializableString fieldName(int i) {
        return fieldNames[i];
    }

    /** The key's Connect schema as JSON; null for a table without a key. */
    SerializableString keySchema() {
        return keySchema;
    }

    SerializableString envelopeSchema() {
        return envelopeSchema;
    }

    /** Debezium's envelope; its optional {@code transaction} block is there whether metadata is on or not. */
    private void writeEnvelopeSchema(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        writeStruct(g, topic() + ".Value", false, true, "before");
        writeStruct(g, topic() + ".Value", false, true, "after");
        SourceBlock.writeSchema(g);
        TransactionBlock.writeSchema(g);
        ConnectJson.field(g, "string", false, "op");
        ConnectJson.field(g, "int64", true, "ts_ms");
        ConnectJson.field(g, "int64", true, "ts_us");
        ConnectJson.field(g, "int64", true, "ts_ns");
        g.writeEndArray();
        g.writeBooleanField("optional", false);
        g.writeStringField("name", topic() + ".Envelope");
        g.writeEndObject();
    }

    /** The struct of the key columns ({@code keyOnly}) or of all columns. */
    private void writeStruct(JsonGenerator g, String name, boolean keyOnly, boolean optional, String field)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        for (int i = 0; i < size(); i++) {
            if (!keyOnly || isKey(i)) {
                columnType(i).writeSchema(g, columnName(i), !keyOnly, columnParameters(i));
            }
        }
        g.writeEndArray();
        g.writeBooleanField("optional", optional);
        g.writeStringField("name", name);
        if (field != null) {
            g.writeStringField("field", field);
        }
        g.writeEndObject();
    }
}
