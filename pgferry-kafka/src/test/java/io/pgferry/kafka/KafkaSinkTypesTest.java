package io.pgferry.kafka;

import static io.pgferry.kafka.TestBroker.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every mapped type with its edge values, from a real stream, checked value by value in the schemaless JSON: what
 * Debezium's PostgreSQL connector writes with its defaults and {@code decimal.handling.mode=string}.
 */
@PgTest
@Tag("kafka")
class KafkaSinkTypesTest {
    /** Timestamp ±infinity as Debezium writes them (the PostgreSQL JDBC driver's infinities), docs/kafka.md. */
    private static final long DEBEZIUM_POSITIVE_INFINITY = 9223372036825200000L;

    private static final long DEBEZIUM_NEGATIVE_INFINITY = -9223372036832400000L;
    static final String[] SETUP = {
        "CREATE TYPE mood AS ENUM ('sad', 'happy')",
        "CREATE DOMAIN posint AS int CHECK (VALUE > 0)",
        "CREATE TABLE types (id int PRIMARY KEY, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, b bool,"
                + " n numeric, n2 numeric(60,10), t text, vc varchar(10), c char(3), by bytea, d date,"
                + " ts timestamp, ts3 timestamp(3), tstz timestamptz, tm time, tm3 time(3), u uuid, j json,"
                + " jb jsonb, ai int[], at text[], an numeric[], ats timestamp[], iv interval, e mood, dom posint,"
                + " o oid)"
    };

    static final String[] ROWS = {
        "INSERT INTO types VALUES (1, -32768, 2147483647, -9223372036854775808, 'NaN', 'Infinity', true,"
                + " '1234567890123456789012345678901234567890.0123456789', 'NaN',"
                + " E'4-byte \\U0001F600 \"quoted\" \\\\ back\\\\slash\\nnewline', 't', 'f', '\\x00ff10',"
                + " 'infinity', 'infinity', '-infinity', '-infinity', '24:00:00', '00:00:00',"
                + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2.50, \"x\"],  \"b\": null}',"
                + " '{\"a\": [1, 2.50, \"x\"]}', '{1,NULL,3}', '{\"a,b\",\"NULL\",NULL,\"q\\\"uote\"}',"
                + " '{1.10,NaN,-0.000}', '{\"2024-02-29 12:34:56.789012\",infinity}', '1 day 02:00:00', 'happy',"
                + " 5, 4294967295)",
        "INSERT INTO types VALUES (2, 0, -1, 1, 1.5, -2.5e-300, false, '-0.000', '0.0000000001', 'NULL', 'true',"
                + " 'ab', '\\x', '2024-02-29', '2024-02-29 12:34:56.789012', '1969-12-31 23:59:59.999',"
                + " '2024-02-29 12:34:56.789012+02', '12:34:56.789012', '12:34:56.789', "
                + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '[]', '{}', '{}', '{}', NULL, NULL, NULL, 'sad', 1, 0)",
        "INSERT INTO types (id, f4, f8, d, ts, tstz) VALUES (3, '-Infinity', 0.1, '0044-03-15 BC',"
                + " '0044-03-15 12:00:00 BC', 'infinity')"
    };

    static List<Captured> capture(TestDatabase db) throws Exception {
        db.execute(SETUP);
        return Captured.capture(db, List.of("public.types"), 3, ROWS);
    }

    @Test
    void everyTypeAndItsEdgeValuesAsDebeziumWritesThem(TestDatabase db) throws Exception {
        List<Captured> txs = capture(db);
        String prefix = TestBroker.freshPrefix();
        try (KafkaSink sink = KafkaSink.open(TestBroker.target(prefix).build(), () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        List<ConsumerRecord<byte[], byte[]>> records = TestBroker.await(prefix + ".public.types", 3);
        JsonNode edge = json(records.get(0).value()).get("after");
        JsonNode plain = json(records.get(1).value()).get("after");
        JsonNode bc = json(records.get(2).value()).get("after");

        assertThat(edge.get("i2").isInt()).isTrue();
        assertThat(edge.get("i2").asInt()).isEqualTo(-32768);
        assertThat(edge.get("i4").asInt()).isEqualTo(2147483647);
        assertThat(edge.get("i8").isLong()).isTrue();
        assertThat(edge.get("i8").asLong()).isEqualTo(Long.MIN_VALUE);
        assertThat(edge.get("o").asLong()).isEqualTo(4294967295L);
        assertThat(edge.get("f4").textValue()).isEqualTo("NaN");
        assertThat(edge.get("f8").textValue()).isEqualTo("Infinity");
        assertThat(bc.get("f4").textValue()).isEqualTo("-Infinity");
        assertThat(plain.get("f4").isNumber()).isTrue();
        assertThat(plain.get("f4").doubleValue()).isEqualTo(1.5);
        assertThat(plain.get("f8").doubleValue()).isEqualTo(-2.5e-300);
        assertThat(bc.get("f8").doubleValue()).isEqualTo(0.1);
        assertThat(edge.get("b").isBoolean()).isTrue();
        assertThat(edge.get("b").booleanValue()).isTrue();
        assertThat(plain.get("b").booleanValue()).isFalse();

        assertThat(edge.get("n").isTextual())
                .as("numeric as a string, never a float")
                .isTrue();
        assertThat(edge.get("n").textValue()).isEqualTo("1234567890123456789012345678901234567890.0123456789");
        assertThat(edge.get("n2").textValue()).isEqualTo("NaN");
        assertThat(plain.get("n").textValue()).isEqualTo(db.queryString("SELECT '-0.000'::numeric::text"));
        assertThat(plain.get("n2").textValue()).isEqualTo("0.0000000001");

        assertThat(edge.get("t").textValue()).isEqualTo("4-byte \uD83D\uDE00 \"quoted\" \\ back\\slash\nnewline");
        assertThat(edge.get("vc").isTextual()).as("text 't' stays text").isTrue();
        assertThat(edge.get("vc").textValue()).isEqualTo("t");
        assertThat(edge.get("c").textValue()).isEqualTo("f  ");
        assertThat(plain.get("vc").textValue()).isEqualTo("true");
        assertThat(plain.get("t").isTextual())
                .as("the string 'NULL' is a string")
                .isTrue();
        assertThat(plain.get("t").textValue()).isEqualTo("NULL");
        assertThat(bc.get("t").isNull()).as("NULL is null").isTrue();
        assertThat(bc.has("t")).isTrue();

        assertThat(edge.get("by").binaryValue()).containsExactly(0x00, 0xff, 0x10);
        assertThat(plain.get("by").binaryValue()).isEmpty();

        assertThat(edge.get("d").asLong()).isEqualTo(Integer.MAX_VALUE);
        assertThat(plain.get("d").asInt())
                .isEqualTo((int) LocalDate.of(2024, 2, 29).toEpochDay());
        assertThat(bc.get("d").asInt()).isEqualTo((int) LocalDate.of(-43, 3, 15).toEpochDay());
        assertThat(edge.get("ts").asLong()).isEqualTo(DEBEZIUM_POSITIVE_INFINITY);
        assertThat(edge.get("ts3").asLong()).isEqualTo(DEBEZIUM_NEGATIVE_INFINITY);
        assertThat(plain.get("ts").asLong()).isEqualTo(micros(LocalDateTime.of(2024, 2, 29, 12, 34, 56, 789012000)));
        assertThat(plain.get("ts3").asLong()).as("timestamp(3): milliseconds").isEqualTo(-1);
        assertThat(bc.get("ts").asLong()).isEqualTo(micros(LocalDateTime.of(-43, 3, 15, 12, 0)));
        assertThat(edge.get("tstz").textValue()).isEqualTo("-infinity");
        assertThat(bc.get("tstz").textValue()).isEqualTo("infinity");
        assertThat(plain.get("tstz").textValue()).isEqualTo("2024-02-29T10:34:56.789012Z");
        assertThat(edge.get("tm").asLong()).as("24:00:00 is a whole day").isEqualTo(86_400_000_000L);
        assertThat(edge.get("tm3").asLong()).isZero();
        assertThat(plain.get("tm").asLong())
                .isEqualTo(LocalTime.of(12, 34, 56, 789012000).toNanoOfDay() / 1000);
        assertThat(plain.get("tm3").asLong()).as("time(3): milliseconds").isEqualTo(45_296_789L);

        assertThat(edge.get("u").textValue()).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(edge.get("j").isTextual()).as("json as a string").isTrue();
        assertThat(edge.get("j").textValue()).isEqualTo("{\"a\": [1, 2.50, \"x\"],  \"b\": null}");
        assertThat(edge.get("jb").textValue()).isEqualTo(db.queryString("SELECT jb::text FROM types WHERE id = 1"));
        assertThat(plain.get("j").textValue()).isEqualTo("[]");

        assertThat(texts(edge.get("ai"))).containsExactly("1", null, "3");
        assertThat(edge.get("ai").get(0).isInt()).isTrue();
        assertThat(texts(edge.get("at"))).containsExactly("a,b", "NULL", null, "q\"uote");
        assertThat(edge.get("at").get(1).isTextual()).isTrue();
        assertThat(texts(edge.get("an")))
                .containsExactly("1.10", "NaN", plain.get("n").textValue());
        assertThat(edge.get("ats").get(0).asLong())
                .isEqualTo(micros(LocalDateTime.of(2024, 2, 29, 12, 34, 56, 789012000)));
        assertThat(edge.get("ats").get(1).asLong()).isEqualTo(DEBEZIUM_POSITIVE_INFINITY);
        assertThat(plain.get("ai").isArray()).isTrue();
        assertThat(plain.get("ai").size()).isZero();
        assertThat(plain.get("an").isNull()).isTrue();

        assertThat(edge.get("iv").textValue()).isEqualTo("1 day 02:00:00");
        assertThat(edge.get("e").textValue()).isEqualTo("happy");
        assertThat(edge.get("dom").isInt()).as("a domain as its base type").isTrue();
        assertThat(edge.get("dom").asInt()).isEqualTo(5);
    }

    private static long micros(LocalDateTime t) {
        return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000 + t.getNano() / 1000;
    }

    /** The elements of a JSON array as text, null for null. */
    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.isNull() ? null : e.asText()));
        return out;
    }
}
