package io.pgferry.kafka.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.value.BuiltinTypes;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schema parameters that name a column's source type, as Debezium's column.propagate.source.type writes them. */
class ConnectTypeTest {
    private static Map<String, String> params(int oid, int typmod) {
        return ConnectType.sourceParameters(oid, typmod, BuiltinTypes.builtin());
    }

    @Test
    void lengthAndScaleComeFromTheTypeModifier() {
        assertThat(params(BuiltinTypes.VARCHAR, 24))
                .containsExactly(
                        Map.entry(ConnectType.SOURCE_TYPE, "VARCHAR"), Map.entry(ConnectType.SOURCE_LENGTH, "20"));
        assertThat(params(BuiltinTypes.NUMERIC, ((12 << 16) | 3) + 4))
                .containsExactly(
                        Map.entry(ConnectType.SOURCE_TYPE, "NUMERIC"),
                        Map.entry(ConnectType.SOURCE_LENGTH, "12"),
                        Map.entry(ConnectType.SOURCE_SCALE, "3"));
        assertThat(params(BuiltinTypes.TIMESTAMPTZ, 3)).containsEntry(ConnectType.SOURCE_SCALE, "3");
        assertThat(params(BuiltinTypes.NUMERIC, -1)).containsOnlyKeys(ConnectType.SOURCE_TYPE);
        assertThat(params(BuiltinTypes.VARCHAR_ARRAY, 14))
                .containsEntry(ConnectType.SOURCE_TYPE, "_VARCHAR")
                .containsEntry(ConnectType.SOURCE_LENGTH, "10");
    }

    @Test
    void aTypeNoResolverKnowsHasNone() {
        assertThat(params(987_654, -1)).isEmpty();
    }
}
