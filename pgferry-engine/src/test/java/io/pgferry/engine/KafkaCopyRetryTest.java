package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgferry.core.sink.Stage;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.testkit.KafkaBroker;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 regression: a copy into Kafka that lost a session stopped the sync, and the next start copied everything
 * again, leaving the first copy's committed records in the topics twice; copies into the database destinations went
 * on in place. With exactly-once delivery each copy transaction now carries its range's mark in the offsets topic,
 * and a range read again skips the rows its mark counts: every row arrives once.
 *
 * <p>The copy is held by a mask that passes values unchanged but waits, at row 10,001 of the first range (two
 * batches committed with their mark), until the test has terminated the source's COPY sessions. Rows of 1 kB keep
 * that range's COPY from fitting in the sockets' buffers, so its read fails and is retried.
 */
@PgTest
@Tag("stream")
@Tag("kafka")
class KafkaCopyRetryTest {
    private static final int ROWS = 40_000;
    private static final String HOLD_AT = "10001:";

    @Test
    void aRangeWhoseSourceSessionWasLostGoesOnAfterItsLastTransaction(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, i || ':' || repeat('x', 1000) FROM generate_series(1, " + ROWS + ") i");
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ValueMask holding = (relation, types) -> new ValueMask.TableMask() {
            @Override
            public boolean masks(int column) {
                return relation.columns().get(column).name().equals("v");
            }

            @Override
            public String apply(int column, String text) {
                if (text.startsWith(HOLD_AT) && reached.getCount() > 0) {
                    reached.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return text;
            }

            @Override
            public boolean lossy(int column) {
                return false;
            }
        };
        String prefix = KafkaSyncTest.prefix();
        ListAppender<ILoggingEvent> log = InitialCopyRetryTest.retries();
        CompletableFuture<SyncEngine.Result> sync = CompletableFuture.supplyAsync(() -> new SyncEngine(
                        KafkaSyncTest.config(source, prefix)
                                .maxRetryTime(Duration.ofMinutes(2))
                                .build(),
                        Stage.IDENTITY,
                        holding)
                .run());
        try {
            assertThat(reached.await(120, TimeUnit.SECONDS))
                    .as("the copy reached the row it is held at")
                    .isTrue();
            assertThat(InitialCopyRetryTest.endSendingCopies(source))
                    .as("a COPY of the copy was sending at the source")
                    .isPositive();
        } finally {
            release.countDown();
        }
        assertThat(sync.get(180, TimeUnit.SECONDS).copied()).isTrue();
        Map<Integer, Integer> reads = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaBroker.shared().records(prefix + ".public.t", "read_committed")) {
            int id = KafkaSyncTest.JSON.readTree(r.key()).path("id").asInt();
            reads.merge(id, 1, Integer::sum);
        }
        assertThat(reads).as("every row").hasSize(ROWS);
        assertThat(reads.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey))
                .as("rows sent more than once")
                .isEmpty();
        Map<String, Boolean> marks = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KafkaBroker.shared().records(prefix + ".pgferry_offsets", "read_committed")) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (key.indexOf('\0') >= 0) {
                marks.put(key, r.value() != null);
            }
        }
        assertThat(marks)
                .as("the copy's marks, written and then removed")
                .isNotEmpty()
                .doesNotContainValue(true);
        assertThat(log.list)
                .as("the lost session was retried, and the log names the table, not its rows")
                .anySatisfy(e -> {
                    assertThat(e.getLevel()).isEqualTo(Level.WARN);
                    assertThat(e.getFormattedMessage()).contains("trying again").contains("public.t");
                })
                .noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("xxxxxxxx"));
    }
}
