package io.pgferry.kafka;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.value.TypeResolver;
import java.io.IOException;
import java.util.List;

/**
 * What the records of one table need, worked out once per Relation object (the stream makes a new one whenever the
 * server describes the table again): its topic, each column's {@link ConnectType}, its key columns, and the Connect
 * schemas of its key and envelope, rendered as JSON for the {@code schemas=true} form, and the column names, all
 * encoded once as JSON for the records of every change.
 *
 * <p>Every value field is optional: pgoutput does not say which columns are NOT NULL, and a key-only old row has
 * nulls in the others. Key fields are required.
 */
final class TableShape {
    private final Relation relation;
    private final TypeResolver types;
    private final String topic;
    private final String dataCollection;
    private final ConnectType[] columnTypes;
    private final boolean[] key;
    private final SerializedString[] fieldNames;
    private final boolean hasKey;
    private final SerializedString keySchema;
    private final SerializedString envelopeSchema;

    TableShape(Relation relation, TypeResolver types, Topics topics) {
        this.relation = relation;
        this.types = types;
        this.topic = topics.table(relation.schema(), relation.table());
        this.dataCollection = relation.schema() + "." + relation.table();
        List<Column> columns = relation.columns();
        this.columnTypes = new ConnectType[columns.size()];
        this.key = new boolean[columns.size()];
        this.fieldNames = new SerializedString[columns.size()];
        this.hasKey = KafkaSink.hasKey(relation);
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            columnTypes[i] = ConnectType.of(c.typeOid(), c.typeModifier(), types);
            key[i] = hasKey && c.key();
            fieldNames[i] = new SerializedString(c.name());
        }
        this.keySchema = hasKey
                ? new SerializedString(ConnectJson.render(g -> writeStruct(g, topic + ".Key", true, false, null)))
                : null;
        this.envelopeSchema = new SerializedString(ConnectJson.render(this::writeEnvelopeSchema));
    }

    Relation relation() {
        return relation;
    }

    TypeResolver types() {
        return types;
    }

    String topic() {
        return topic;
    }

    /** The table as Debezium names it in transaction metadata: {@code schema.table}. */
    String dataCollection() {
        return dataCollection;
    }

    int size() {
        return columnTypes.length;
    }

    String columnName(int i) {
        return relation.columns().get(i).name();
    }

    /** The column's name as a JSON field name. */
    SerializableString fieldName(int i) {
        return fieldNames[i];
    }

    int columnOid(int i) {
        return relation.columns().get(i).typeOid();
    }

    ConnectType columnType(int i) {
        return columnTypes[i];
    }

    boolean isKey(int i) {
        return key[i];
    }

    boolean hasKey() {
        return hasKey;
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
        writeStruct(g, topic + ".Value", false, true, "before");
        writeStruct(g, topic + ".Value", false, true, "after");
        SourceBlock.writeSchema(g);
        TransactionBlock.writeSchema(g);
        ConnectJson.field(g, "string", false, "op");
        ConnectJson.field(g, "int64", true, "ts_ms");
        ConnectJson.field(g, "int64", true, "ts_us");
        ConnectJson.field(g, "int64", true, "ts_ns");
        g.writeEndArray();
        g.writeBooleanField("optional", false);
        g.writeStringField("name", topic + ".Envelope");
        g.writeEndObject();
    }

    /** The struct of the key columns ({@code keyOnly}) or of all columns. */
    private void writeStruct(JsonGenerator g, String name, boolean keyOnly, boolean optional, String field)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        for (int i = 0; i < columnTypes.length; i++) {
            if (!keyOnly || key[i]) {
                columnTypes[i].writeSchema(g, columnName(i), !keyOnly);
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
