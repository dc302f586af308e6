package io.pgferry.connect.sink;

import static io.pgferry.core.value.BuiltinTypes.BOOL;
import static io.pgferry.core.value.BuiltinTypes.BPCHAR;
import static io.pgferry.core.value.BuiltinTypes.BYTEA;
import static io.pgferry.core.value.BuiltinTypes.DATE;
import static io.pgferry.core.value.BuiltinTypes.FLOAT4;
import static io.pgferry.core.value.BuiltinTypes.FLOAT8;
import static io.pgferry.core.value.BuiltinTypes.INT2;
import static io.pgferry.core.value.BuiltinTypes.INT4;
import static io.pgferry.core.value.BuiltinTypes.INT8;
import static io.pgferry.core.value.BuiltinTypes.INTERVAL;
import static io.pgferry.core.value.BuiltinTypes.JSON;
import static io.pgferry.core.value.BuiltinTypes.NUMERIC;
import static io.pgferry.core.value.BuiltinTypes.TEXT;
import static io.pgferry.core.value.BuiltinTypes.TIME;
import static io.pgferry.core.value.BuiltinTypes.TIMESTAMP;
import static io.pgferry.core.value.BuiltinTypes.TIMESTAMPTZ;
import static io.pgferry.core.value.BuiltinTypes.TIMETZ;
import static io.pgferry.core.value.BuiltinTypes.UUID;
import static io.pgferry.core.value.BuiltinTypes.VARBIT;
import static io.pgferry.core.value.BuiltinTypes.VARCHAR;
import static io.pgferry.core.value.BuiltinTypes.XML;

import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.core.value.TypeInfo;
import io.pgferry.kafka.event.ConnectType;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.connect.data.Schema;

/**
 * The PostgreSQL type of a Connect field schema as Debezium's PostgreSQL connector and pgferry's source connector
 * write them: by Debezium's semantic name where there is one ({@code io.debezium.time.MicroTimestamp} is a
 * timestamp(6)), by Connect's logical types ({@code Decimal}, {@code Date}, ...), else by the Connect type ({@code
 * int32} is int4, {@code string} text). When the schema carries Debezium's {@code __debezium.source.column.type}
 * parameter ({@code column.propagate.source.type}), a built-in type of that name is declared instead, with the length
 * and scale parameters as its modifier: a varchar(20) stays a varchar(20), a numeric sent as a string stays numeric.
 * Pure.
 */
final class FieldTypes {
    static final String SOURCE_TYPE = ConnectType.SOURCE_TYPE;
    static final String SOURCE_LENGTH = ConnectType.SOURCE_LENGTH;
    static final String SOURCE_SCALE = ConnectType.SOURCE_SCALE;

    /** Names Debezium and SQL use for the built-in types, beside pg_type's own. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("smallint", "int2"),
            Map.entry("integer", "int4"),
            Map.entry("int", "int4"),
            Map.entry("bigint", "int8"),
            Map.entry("real", "float4"),
            Map.entry("double precision", "float8"),
            Map.entry("boolean", "bool"),
            Map.entry("decimal", "numeric"),
            Map.entry("character varying", "varchar"),
            Map.entry("character", "bpchar"),
            Map.entry("char", "bpchar"),
            Map.entry("serial", "int4"),
            Map.entry("bigserial", "int8"),
            Map.entry("smallserial", "int2"),
            Map.entry("timestamp without time zone", "timestamp"),
            Map.entry("timestamp with time zone", "timestamptz"),
            Map.entry("time without time zone", "time"),
            Map.entry("time with time zone", "timetz"),
            Map.entry("bit varying", "varbit"));

    private FieldTypes() {}

    /**
     * The type of a field; throws {@link IllegalArgumentException} for a schema no PostgreSQL column can hold (a map,
     * a struct that is not a known semantic type).
     */
    static FieldType of(Schema schema) {
        FieldType implied = implied(schema);
        Map<String, String> params = schema.parameters();
        String source = params == null ? null : params.get(SOURCE_TYPE);
        if (source == null) {
            return implied;
        }
        TypeInfo declared = named(source);
        if (declared == null) {
            return implied;
        }
        if (declared.kind() == TypeInfo.Kind.ARRAY) {
            return schema.type() == Schema.Type.ARRAY
                    ? implied.declaredAs(declared.oid(), modifier(declared.elementOid(), params))
                    : implied;
        }
        if (schema.type() == Schema.Type.ARRAY) {
            return implied;
        }
        return implied.declaredAs(declared.oid(), modifier(declared.oid(), params));
    }

    private static TypeInfo named(String source) {
        String name = source.strip().toLowerCase(Locale.ROOT);
        boolean array = name.endsWith("[]");
        if (array) {
            name = name.substring(0, name.length() - 2);
        }
        name = ALIASES.getOrDefault(name, name);
        TypeInfo t = BuiltinTypes.byName(array ? "_" + name : name);
        return t == null || t.kind() == TypeInfo.Kind.BASE || t.kind() == TypeInfo.Kind.ARRAY ? t : null;
    }

    /** The modifier of {@code oid} from Debezium's length and scale parameters, as PostgreSQL encodes it. */
    static int modifier(int oid, Map<String, String> params) {
        Integer length = integer(params.get(SOURCE_LENGTH));
        Integer scale = integer(params.get(SOURCE_SCALE));
        return switch (oid) {
                // A length of 2147483647 is Debezium's "unbounded".
            case VARCHAR, BPCHAR -> length != null && length > 0 && length < 10_485_760 ? length + 4 : -1;
            case NUMERIC -> length != null && length > 0 && length <= 1000
                    ? ((length << 16) | ((scale == null ? 0 : scale) & 0xffff)) + 4
                    : -1;
            case TIME, TIMETZ, TIMESTAMP, TIMESTAMPTZ -> scale != null && scale >= 0 && scale <= 6 ? scale : -1;
            case VARBIT, BuiltinTypes.BIT -> length != null && length > 0 && length < 83_886_080 ? length : -1;
            default -> -1;
        };
    }

    private static Integer integer(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Integer.valueOf(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The type the Connect schema implies. */
    private static FieldType implied(Schema schema) {
        String name = schema.name();
        if (name != null) {
            FieldType semantic = semantic(name, schema);
            if (semantic != null) {
                return semantic;
            }
        }
        return switch (schema.type()) {
            case INT8, INT16 -> plain(INT2, v -> ((Number) v).shortValue());
            case INT32 -> plain(INT4, v -> v);
            case INT64 -> plain(INT8, v -> v);
            case FLOAT32 -> plain(FLOAT4, v -> v);
            case FLOAT64 -> plain(FLOAT8, v -> v);
            case BOOLEAN -> plain(BOOL, v -> v);
            case STRING -> text(TEXT);
            case BYTES -> plain(BYTEA, ValueDecoders::bytes);
            case ARRAY -> {
                FieldType element = implied(schema.valueSchema());
                FieldType array = element.arrayOf();
                if (array == null) {
                    throw new IllegalArgumentException(
                            "an array of " + describe(schema.valueSchema()) + " has no PostgreSQL array type");
                }
                yield array;
            }
            case MAP, STRUCT -> throw new IllegalArgumentException(
                    "a field of Connect type " + describe(schema) + " has no PostgreSQL column type");
        };
    }

    private static FieldType semantic(String name, Schema schema) {
        return switch (name) {
            case "org.apache.kafka.connect.data.Decimal" -> {
                Integer scale = integer(schema.parameters().get("scale"));
                Integer precision = integer(schema.parameters().get("connect.decimal.precision"));
                int mod = precision != null && precision > 0 && precision <= 1000 && scale != null && scale >= 0
                        ? ((precision << 16) | scale) + 4
                        : -1;
                yield new FieldType(NUMERIC, mod, NUMERIC, v -> v, false);
            }
            case "io.debezium.data.VariableScaleDecimal" -> plain(NUMERIC, ValueDecoders::variableScaleDecimal);
            case "org.apache.kafka.connect.data.Date" -> plain(DATE, ValueDecoders::logicalDate);
            case "org.apache.kafka.connect.data.Time" -> new FieldType(
                    TIME, 3, TIME, ValueDecoders::logicalTime, false);
            case "org.apache.kafka.connect.data.Timestamp" -> new FieldType(
                    TIMESTAMP, 3, TIMESTAMP, ValueDecoders::logicalTimestamp, false);
            case "io.debezium.time.Date" -> plain(DATE, ValueDecoders::days);
            case "io.debezium.time.Time" -> new FieldType(TIME, 3, TIME, v -> ValueDecoders.timeOfDay(v, 1000), false);
            case "io.debezium.time.MicroTime" -> new FieldType(
                    TIME, 6, TIME, v -> ValueDecoders.timeOfDay(v, 1), false);
            case "io.debezium.time.NanoTime" -> plain(TIME, v -> ValueDecoders.nanoTimeOfDay(v));
            case "io.debezium.time.Timestamp" -> new FieldType(
                    TIMESTAMP, 3, TIMESTAMP, v -> ValueDecoders.timestamp(v, 1000), false);
            case "io.debezium.time.MicroTimestamp" -> new FieldType(
                    TIMESTAMP, 6, TIMESTAMP, v -> ValueDecoders.timestamp(v, 1), false);
            case "io.debezium.time.NanoTimestamp" -> plain(TIMESTAMP, ValueDecoders::nanoTimestamp);
            case "io.debezium.time.ZonedTimestamp" -> plain(TIMESTAMPTZ, ValueDecoders::zonedTimestamp);
            case "io.debezium.time.ZonedTime" -> plain(TIMETZ, ValueDecoders::zonedTime);
            case "io.debezium.time.MicroDuration" -> plain(INTERVAL, ValueDecoders::microDuration);
            case "io.debezium.time.Interval" -> text(INTERVAL);
            case "io.debezium.data.Uuid" -> text(UUID);
            case "io.debezium.data.Json" -> text(JSON);
            case "io.debezium.data.Xml" -> text(XML);
            case "io.debezium.data.Bits" -> {
                Integer length = integer(
                        schema.parameters() == null ? null : schema.parameters().get("length"));
                int bits = length == null ? -1 : length;
                yield new FieldType(VARBIT, bits, VARBIT, v -> ValueDecoders.bits(v, bits), false);
            }
            default -> null;
        };
    }

    private static FieldType plain(int oid, Function<Object, Object> decode) {
        return new FieldType(oid, -1, oid, decode, false);
    }

    private static FieldType text(int oid) {
        return new FieldType(oid, -1, oid, v -> v, true);
    }

    private static String describe(Schema schema) {
        return schema.name() != null
                ? schema.name() + " (" + schema.type().getName() + ")"
                : schema.type().getName();
    }
}
