package io.pgferry.kafka.event;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.core.value.TypeInfo;
import io.pgferry.core.value.TypeResolver;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Kafka Connect type a PostgreSQL column is written as, following the defaults of Debezium's PostgreSQL connector
 * ({@code decimal.handling.mode=string}, {@code time.precision.mode=adaptive}, {@code binary.handling.mode=bytes}):
 * see docs/kafka.md for the table. Domains are written as their base type; a type neither the built-in list nor the
 * stream's resolver knows, and every type without a mapping here, as PostgreSQL's text.
 *
 * @param element for {@link Kind#ARRAY}, the elements' type (and {@code elementOid} their OID); else null and 0
 */
public record ConnectType(Kind kind, ConnectType element, int elementOid) {
    /** Domains over domains are allowed; a longer chain is taken to be a cycle in a broken resolver. */
    private static final int MAX_DOMAIN_DEPTH = 32;

    /** Connect schema type, and Debezium's semantic name (null for none) of each kind. */
    public enum Kind {
        INT16("int16", null),
        INT32("int32", null),
        INT64("int64", null),
        FLOAT32("float", null),
        FLOAT64("double", null),
        BOOLEAN("boolean", null),
        /** numeric, as Debezium's {@code decimal.handling.mode=string}: PostgreSQL's exact text, never a float. */
        DECIMAL_STRING("string", null),
        BYTES("bytes", null),
        DATE("int32", "io.debezium.time.Date"),
        TIME_MILLIS("int32", "io.debezium.time.Time"),
        TIME_MICROS("int64", "io.debezium.time.MicroTime"),
        TIMESTAMP_MILLIS("int64", "io.debezium.time.Timestamp"),
        TIMESTAMP_MICROS("int64", "io.debezium.time.MicroTimestamp"),
        ZONED_TIMESTAMP("string", "io.debezium.time.ZonedTimestamp"),
        UUID("string", "io.debezium.data.Uuid"),
        JSON("string", "io.debezium.data.Json"),
        TEXT("string", null),
        ARRAY("array", null);

        final String connectType;
        final String semanticName;

        Kind(String connectType, String semanticName) {
            this.connectType = connectType;
            this.semanticName = semanticName;
        }

        /** Kafka Connect's schema type name ({@code int32}, {@code string}, {@code array}, ...). */
        public String connectType() {
            return connectType;
        }

        /** Debezium's semantic name of the schema, such as {@code io.debezium.time.Date}; null for none. */
        public String semanticName() {
            return semanticName;
        }

        /** Whether values are written as JSON strings, so that the unchanged-TOAST placeholder fits. */
        boolean isString() {
            return connectType.equals("string");
        }
    }

    static ConnectType scalar(Kind kind) {
        return new ConnectType(kind, null, 0);
    }

    /**
     * The type of a column of type {@code oid} with type modifier {@code typmod} (for time and timestamp, their
     * precision; -1 when none was given); for an array, the modifier is its elements'.
     */
    public static ConnectType of(int oid, int typmod, TypeResolver types) {
        TypeInfo t = resolve(oid, types);
        if (t == null || t.kind() == TypeInfo.Kind.ENUM) {
            return scalar(Kind.TEXT);
        }
        if (t.kind() == TypeInfo.Kind.ARRAY) {
            ConnectType element = of(t.elementOid(), typmod, types);
            // Arrays of arrays do not exist in PostgreSQL: a multi-dimensional array is one array type.
            return new ConnectType(Kind.ARRAY, element, t.elementOid());
        }
        if (t.kind() != TypeInfo.Kind.BASE) {
            return scalar(Kind.TEXT);
        }
        // Adaptive precision: up to milliseconds Debezium writes milliseconds, else microseconds.
        boolean millis = typmod >= 0 && typmod <= 3;
        return scalar(
                switch (t.oid()) {
                    case BuiltinTypes.INT2 -> Kind.INT16;
                    case BuiltinTypes.INT4 -> Kind.INT32;
                    case BuiltinTypes.INT8, BuiltinTypes.OID -> Kind.INT64;
                    case BuiltinTypes.FLOAT4 -> Kind.FLOAT32;
                    case BuiltinTypes.FLOAT8 -> Kind.FLOAT64;
                    case BuiltinTypes.BOOL -> Kind.BOOLEAN;
                    case BuiltinTypes.NUMERIC -> Kind.DECIMAL_STRING;
                    case BuiltinTypes.BYTEA -> Kind.BYTES;
                    case BuiltinTypes.DATE -> Kind.DATE;
                    case BuiltinTypes.TIME -> millis ? Kind.TIME_MILLIS : Kind.TIME_MICROS;
                    case BuiltinTypes.TIMESTAMP -> millis ? Kind.TIMESTAMP_MILLIS : Kind.TIMESTAMP_MICROS;
                    case BuiltinTypes.TIMESTAMPTZ -> Kind.ZONED_TIMESTAMP;
                    case BuiltinTypes.UUID -> Kind.UUID;
                    case BuiltinTypes.JSON, BuiltinTypes.JSONB -> Kind.JSON;
                    default -> Kind.TEXT;
                });
    }

    /** Debezium's schema parameter naming a column's source type ({@code column.propagate.source.type}). */
    public static final String SOURCE_TYPE = "__debezium.source.column.type";
    /** The source type's length: a varchar's, a numeric's precision, a bit string's. */
    public static final String SOURCE_LENGTH = "__debezium.source.column.length";
    /** The source type's scale: a numeric's, or the fractional digits of a time or timestamp. */
    public static final String SOURCE_SCALE = "__debezium.source.column.scale";

    /**
     * The parameters that carry a column's PostgreSQL type in its schema, as Debezium's {@code
     * column.propagate.source.type} writes them: the type's name in upper case ({@code VARCHAR}, {@code _INT4} for
     * an array), and its length and scale from the type modifier where it has them; empty for a type no resolver
     * knows. A sink that creates tables (pgferry's JDBC sink connector) declares the same type from them.
     */
    public static Map<String, String> sourceParameters(int oid, int typmod, TypeResolver types) {
        TypeInfo t = lookup(oid, types);
        if (t == null) {
            return Map.of();
        }
        Map<String, String> p = new LinkedHashMap<>();
        p.put(SOURCE_TYPE, t.name().toUpperCase(Locale.ROOT));
        int base = t.kind() == TypeInfo.Kind.ARRAY ? t.elementOid() : oid;
        switch (base) {
            case BuiltinTypes.VARCHAR, BuiltinTypes.BPCHAR -> {
                if (typmod >= 4) {
                    p.put(SOURCE_LENGTH, Integer.toString(typmod - 4));
                }
            }
            case BuiltinTypes.NUMERIC -> {
                if (typmod >= 4) {
                    p.put(SOURCE_LENGTH, Integer.toString(((typmod - 4) >> 16) & 0xffff));
                    p.put(SOURCE_SCALE, Integer.toString((short) ((typmod - 4) & 0xffff)));
                }
            }
            case BuiltinTypes.TIME, BuiltinTypes.TIMETZ, BuiltinTypes.TIMESTAMP, BuiltinTypes.TIMESTAMPTZ -> {
                if (typmod >= 0) {
                    p.put(SOURCE_SCALE, Integer.toString(typmod));
                }
            }
            case BuiltinTypes.BIT, BuiltinTypes.VARBIT -> {
                if (typmod > 0) {
                    p.put(SOURCE_LENGTH, Integer.toString(typmod));
                }
            }
            default -> {}
        }
        return Collections.unmodifiableMap(p);
    }

    /** Writes this type's Connect schema as JsonConverter does; {@code field} null for an array's items. */
    void writeSchema(JsonGenerator g, String field, boolean optional) throws IOException {
        writeSchema(g, field, optional, Map.of());
    }

    /** The same, with schema {@code parameters} (written in their order, as JsonConverter writes a schema's). */
    void writeSchema(JsonGenerator g, String field, boolean optional, Map<String, String> parameters)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("type", kind.connectType);
        if (kind == Kind.ARRAY) {
            g.writeFieldName("items");
            element.writeSchema(g, null, true);
        }
        g.writeBooleanField("optional", optional);
        if (kind.semanticName != null) {
            g.writeStringField("name", kind.semanticName);
            g.writeNumberField("version", 1);
        }
        if (!parameters.isEmpty()) {
            g.writeObjectFieldStart("parameters");
            for (Map.Entry<String, String> e : parameters.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        if (field != null) {
            g.writeStringField("field", field);
        }
        g.writeEndObject();
    }

    /** The type with domains replaced by their base types; null if unknown. */
    private static TypeInfo resolve(int oid, TypeResolver types) {
        TypeInfo t = lookup(oid, types);
        for (int depth = 0; t != null && t.kind() == TypeInfo.Kind.DOMAIN && depth < MAX_DOMAIN_DEPTH; depth++) {
            t = lookup(t.baseOid(), types);
        }
        return t == null || t.kind() == TypeInfo.Kind.DOMAIN ? null : t;
    }

    private static TypeInfo lookup(int oid, TypeResolver types) {
        TypeInfo t = BuiltinTypes.builtin().resolve(oid);
        return t != null || types == null ? t : types.resolve(oid);
    }
}
