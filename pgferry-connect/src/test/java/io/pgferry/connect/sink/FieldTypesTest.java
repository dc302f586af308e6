package io.pgferry.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.event.Row;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.kafka.event.ConnectValues;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/** The column types and texts the sink connector makes of Connect schemas and values. */
class FieldTypesTest {
    private static Schema named(Schema.Type type, String name) {
        return SchemaBuilder.type(type).name(name).optional().build();
    }

    private static String text(Schema schema, Object value) {
        return FieldTypes.of(schema).text(value);
    }

    @Test
    void plainConnectTypes() {
        assertThat(FieldTypes.of(Schema.OPTIONAL_INT16_SCHEMA).declaredOid()).isEqualTo(BuiltinTypes.INT2);
        assertThat(FieldTypes.of(Schema.OPTIONAL_INT64_SCHEMA).declaredOid()).isEqualTo(BuiltinTypes.INT8);
        assertThat(text(Schema.OPTIONAL_BOOLEAN_SCHEMA, true)).isEqualTo("t");
        assertThat(text(Schema.OPTIONAL_FLOAT64_SCHEMA, 1e300)).isEqualTo("1e+300");
        assertThat(text(Schema.OPTIONAL_BYTES_SCHEMA, new byte[] {0, -1})).isEqualTo("\\x00ff");
        assertThat(text(SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).build(), Arrays.asList("a b", null, "\"")))
                .isEqualTo("{\"a b\",NULL,\"\\\"\"}");
        assertThat(FieldTypes.of(SchemaBuilder.array(Schema.INT32_SCHEMA).build())
                        .declaredOid())
                .isEqualTo(BuiltinTypes.INT4_ARRAY);
    }

    @Test
    void debeziumTimeTypesAndTheirInfinities() {
        assertThat(text(named(Schema.Type.INT32, "io.debezium.time.Date"), 19782))
                .isEqualTo("2024-02-29");
        assertThat(text(named(Schema.Type.INT32, "io.debezium.time.Date"), Integer.MAX_VALUE))
                .isEqualTo("infinity");
        assertThat(text(named(Schema.Type.INT64, "io.debezium.time.MicroTime"), 86_400_000_000L))
                .isEqualTo("24:00:00");
        assertThat(text(named(Schema.Type.INT64, "io.debezium.time.MicroTimestamp"), -1L))
                .isEqualTo("1969-12-31 23:59:59.999999");
        assertThat(text(named(Schema.Type.INT64, "io.debezium.time.MicroTimestamp"), 9223372036825200000L))
                .isEqualTo("infinity");
        assertThat(text(named(Schema.Type.STRING, "io.debezium.time.ZonedTimestamp"), "2024-01-01T08:00:00.25Z"))
                .isEqualTo("2024-01-01 08:00:00.25+00");
        assertThat(FieldTypes.of(named(Schema.Type.INT64, "io.debezium.time.MicroTimestamp"))
                        .typmod())
                .isEqualTo(6);
    }

    @Test
    void exactDecimals() {
        Schema precise = Decimal.builder(3)
                .parameter("connect.decimal.precision", "12")
                .optional()
                .build();
        FieldType t = FieldTypes.of(precise);
        assertThat(t.declaredOid()).isEqualTo(BuiltinTypes.NUMERIC);
        assertThat(t.typmod()).isEqualTo(((12 << 16) | 3) + 4);
        assertThat(t.text(new BigDecimal("-0.500"))).isEqualTo("-0.500");
        Schema variable = SchemaBuilder.struct()
                .name("io.debezium.data.VariableScaleDecimal")
                .field("scale", Schema.INT32_SCHEMA)
                .field("value", Schema.BYTES_SCHEMA)
                .optional()
                .build();
        Struct v = new Struct(variable).put("scale", 9).put("value", new byte[] {1});
        assertThat(text(variable, v)).isEqualTo("0.000000001");
    }

    @Test
    void theSourceColumnTypeIsDeclaredWhenTheRecordSaysIt() {
        Schema varchar = SchemaBuilder.string()
                .parameter(FieldTypes.SOURCE_TYPE, "VARCHAR")
                .parameter(FieldTypes.SOURCE_LENGTH, "20")
                .optional()
                .build();
        assertThat(FieldTypes.of(varchar).declaredOid()).isEqualTo(BuiltinTypes.VARCHAR);
        assertThat(FieldTypes.of(varchar).typmod()).isEqualTo(24);
        Schema numeric = SchemaBuilder.string()
                .parameter(FieldTypes.SOURCE_TYPE, "numeric")
                .parameter(FieldTypes.SOURCE_LENGTH, "10")
                .parameter(FieldTypes.SOURCE_SCALE, "2")
                .optional()
                .build();
        assertThat(FieldTypes.of(numeric).declaredOid()).isEqualTo(BuiltinTypes.NUMERIC);
        assertThat(FieldTypes.of(numeric).text("12.50")).isEqualTo("12.50");
        Schema userType = SchemaBuilder.string()
                .parameter(FieldTypes.SOURCE_TYPE, "MOOD")
                .optional()
                .build();
        assertThat(FieldTypes.of(userType).declaredOid()).isEqualTo(BuiltinTypes.TEXT);
    }

    @Test
    void bitsAreLittleEndian() {
        Schema bits = SchemaBuilder.bytes()
                .name("io.debezium.data.Bits")
                .parameter("length", "10")
                .optional()
                .build();
        assertThat(text(bits, new byte[] {0b0000_0101, 0b10})).isEqualTo("1000000101");
    }

    @Test
    void aMapHasNoColumnType() {
        assertThatThrownBy(() -> FieldTypes.of(SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA)
                        .build()))
                .hasMessageContaining("map");
    }

    @Test
    void theUnchangedToastPlaceholderMarksAColumnNotSentOnlyInAnUpdatesNewRow() {
        Schema row = SchemaBuilder.struct()
                .field("id", Schema.INT32_SCHEMA)
                .field("s", Schema.OPTIONAL_STRING_SCHEMA)
                .field("b", Schema.OPTIONAL_BYTES_SCHEMA)
                .field(
                        "a",
                        SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA)
                                .optional()
                                .build())
                .build();
        Shape shape = Shape.of("public", "t", row, Set.of("id"));
        Struct s = new Struct(row)
                .put("id", 1)
                .put("s", ConnectValues.UNAVAILABLE)
                .put("b", ConnectValues.UNAVAILABLE.getBytes(StandardCharsets.UTF_8))
                .put("a", List.of(ConnectValues.UNAVAILABLE));
        Row after = shape.row(s, false, true);
        assertThat(after.isUnchangedToast(1)).isTrue();
        assertThat(after.isUnchangedToast(2)).isTrue();
        assertThat(after.isUnchangedToast(3)).isTrue();
        assertThat(after.text(0)).isEqualTo("1");
        assertThat(shape.row(s, false, false).text(1)).isEqualTo(ConnectValues.UNAVAILABLE);
        assertThat(shape.relation.keyColumns()).hasSize(1);
    }
}
