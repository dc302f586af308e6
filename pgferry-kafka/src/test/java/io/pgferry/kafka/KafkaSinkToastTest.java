package io.pgferry.kafka;

import static io.pgferry.kafka.TestBroker.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.kafka.event.UnchangedToast;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An UPDATE that leaves large out-of-line (TOASTed) values alone: the server does not send them, and the event
 * carries Debezium's placeholder in their place, never another column's value.
 */
@PgTest
@Tag("kafka")
class KafkaSinkToastTest {
    /** 16 kB of md5 hex digits: compresses poorly, so it is stored out of line (past 2 kB). */
    private static final String BIG_TEXT = "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 512) i)";

    private static final String BIG_BYTES = "decode(" + BIG_TEXT + ", 'hex')";
    private static final String BIG_TEXTS = "(SELECT array_agg(md5(i::text)) FROM generate_series(1, 512) i)";
    /** Pseudo-random integers from md5: they do not compress either. */
    private static final String BIG_INTS =
            "(SELECT array_agg(('x' || substr(md5(i::text), 1, 8))::bit(32)::int) FROM generate_series(1, 4096) i)";

    @Test
    void unchangedToastValuesGetDebeziumsPlaceholder(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, big text, bin bytea, texts text[], ints int[], small text)");
        List<Captured> txs = Captured.capture(
                db,
                List.of("public.t"),
                2,
                "INSERT INTO t VALUES (1, " + BIG_TEXT + ", " + BIG_BYTES + ", " + BIG_TEXTS + ", " + BIG_INTS
                        + ", 'before')",
                "UPDATE t SET small = 'after' WHERE id = 1");
        ChangeEvent.Update update = (ChangeEvent.Update) txs.get(1).changes().get(0);
        for (int column = 1; column <= 4; column++) {
            assertThat(update.after().isUnchangedToast(column))
                    .as("column %d is stored out of line and not sent", column)
                    .isTrue();
        }
        String prefix = TestBroker.freshPrefix();
        try (KafkaSink sink = KafkaSink.open(TestBroker.target(prefix).build(), () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        var records = TestBroker.await(prefix + ".public.t", 2);
        JsonNode after = json(records.get(1).value()).get("after");
        // Issue 10's audit: the null of "ints" could not be told from a NULL; a header names every column not sent.
        assertThat(records.get(0).headers().lastHeader(UnchangedToast.HEADER)).isNull();
        var header = records.get(1).headers().lastHeader(UnchangedToast.HEADER);
        assertThat(header).isNotNull();
        assertThat(UnchangedToast.parse(header.value())).containsExactly("big", "bin", "texts", "ints");
        assertThat(after.get("id").asInt()).isEqualTo(1);
        assertThat(after.get("small").asText()).isEqualTo("after");
        assertThat(after.get("big").textValue()).isEqualTo("__debezium_unavailable_value");
        assertThat(new String(after.get("bin").binaryValue(), StandardCharsets.UTF_8))
                .isEqualTo("__debezium_unavailable_value");
        assertThat(after.get("texts").size()).isEqualTo(1);
        assertThat(after.get("texts").get(0).textValue()).isEqualTo("__debezium_unavailable_value");
        assertThat(after.get("ints").isNull())
                .as("an array of integers can hold no placeholder")
                .isTrue();
    }
}
