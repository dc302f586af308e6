package io.pgferry.jdbc.foreign;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.value.BuiltinTypes;
import org.junit.jupiter.api.Test;

/** PostgreSQL arrays as JSON for destinations without arrays. */
class JsonArraysTest {
    @Test
    void numbersStayExactNullsAreNullAndDimensionsNest() {
        assertThat(JsonArrays.fromPgArray(BuiltinTypes.INT4_ARRAY, "{{1,NULL},{3,4}}"))
                .isEqualTo("[[1,null],[3,4]]");
        assertThat(JsonArrays.fromPgArray(BuiltinTypes.NUMERIC_ARRAY, "{1.50,NaN}"))
                .isEqualTo("[1.50,\"NaN\"]");
        assertThat(JsonArrays.fromPgArray(BuiltinTypes.TEXT_ARRAY, "{\"a,b\",\"q\\\"u\",NULL,\"NULL\"}"))
                .isEqualTo("[\"a,b\",\"q\\\"u\",null,\"NULL\"]");
        assertThat(JsonArrays.fromPgArray(BuiltinTypes.BOOL_ARRAY, "{t,f}")).isEqualTo("[true,false]");
        assertThat(JsonArrays.fromPgArray(BuiltinTypes.TEXT_ARRAY, "{}")).isEqualTo("[]");
    }
}
