package io.pgferry.connect.source;

import io.pgferry.core.event.Relation;
import io.pgferry.core.value.TypeResolver;
import io.pgferry.kafka.event.ConnectType;
import io.pgferry.kafka.event.TableFacts;
import io.pgferry.kafka.event.TableLayout;
import io.pgferry.kafka.event.Topics;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * The Connect schemas of one table's records beside its {@link TableLayout}: the same schemas the Kafka destination
 * writes as JSON, so that Connect's JsonConverter turns these records into the destination's bytes. The key struct
 * {@code <topic>.Key} holds the key columns, required; the row struct {@code <topic>.Value} every column, optional
 * (pgoutput does not say which columns are NOT NULL, and a key-only old row has nulls in the others); the envelope
 * {@code <topic>.Envelope} is Debezium's.
 */
final class TableSchemas extends TableLayout {
    private final Field[] rowFields;
    private final Field[] keyFields;
    private final Schema keySchema;
    private final Schema rowSchema;
    private final Schema envelope;

    /** @param facts what the source's catalog says of the table (see {@link TableFacts}) */
    TableSchemas(Relation relation, TypeResolver types, Topics topics, TableFacts facts) {
        super(relation, types, topics, facts);
        SchemaBuilder row = SchemaBuilder.struct().name(topic() + ".Value").optional();
        SchemaBuilder keyStruct = SchemaBuilder.struct().name(topic() + ".Key");
        for (int i = 0; i < size(); i++) {
            row.field(columnName(i), schemaOf(columnType(i), true, columnParameters(i)));
            if (isKey(i)) {
                keyStruct.field(columnName(i), schemaOf(columnType(i), false, columnParameters(i)));
            }
        }
        this.rowSchema = row.build();
        this.keySchema = hasKey() ? keyStruct.build() : null;
        this.rowFields = rowSchema.fields().toArray(new Field[0]);
        this.keyFields = new Field[size()];
        for (int i = 0; i < size(); i++) {
            if (isKey(i)) {
                keyFields[i] = keySchema.field(columnName(i));
            }
        }
        this.envelope = SchemaBuilder.struct()
                .name(topic() + ".Envelope")
                .field("before", rowSchema)
                .field("after", rowSchema)
                .field("source", SourceStruct.SCHEMA)
                .field("transaction", TransactionStruct.BLOCK_SCHEMA)
                .field("op", Schema.STRING_SCHEMA)
                .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
                .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
                .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
                .build();
    }

    /**
     * The schema of a column of {@code type}, with the {@code parameters} that name its source type; an array's items
     * are optional, as PostgreSQL arrays hold NULLs.
     */
    static Schema schemaOf(ConnectType type, boolean optional, Map<String, String> parameters) {
        SchemaBuilder b =
                switch (type.kind().connectType()) {
                    case "int16" -> SchemaBuilder.int16();
                    case "int32" -> SchemaBuilder.int32();
                    case "int64" -> SchemaBuilder.int64();
                    case "float" -> SchemaBuilder.float32();
                    case "double" -> SchemaBuilder.float64();
                    case "boolean" -> SchemaBuilder.bool();
                    case "bytes" -> SchemaBuilder.bytes();
                    case "array" -> SchemaBuilder.array(schemaOf(type.element(), true, Map.of()));
                    default -> SchemaBuilder.string();
                };
        if (type.kind().semanticName() != null) {
            b.name(type.kind().semanticName()).version(1);
        }
        if (!parameters.isEmpty()) {
            b.parameters(parameters);
        }
        if (optional) {
            b.optional();
        }
        return b.build();
    }

    Field rowField(int i) {
        return rowFields[i];
    }

    /** The key struct's field of column {@code i}; null for a column outside the key. */
    Field keyField(int i) {
        return keyFields[i];
    }

    /** Null for a table without a key. */
    Schema keySchema() {
        return keySchema;
    }

    Schema rowSchema() {
        return rowSchema;
    }

    Schema envelope() {
        return envelope;
    }
}
