package io.pgferry.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.PostgresDialect;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The sink connector's offsets at a real PostgreSQL destination. */
@PgTest
class OffsetLedgerTest {
    private final PostgresDialect dialect = new PostgresDialect();

    /**
     * Regression (issue 10): two tasks of one connector started together both created the offsets table, and
     * PostgreSQL's CREATE TABLE IF NOT EXISTS failed one of them with "type connect_offsets already exists".
     */
    @Test
    void tasksStartingTogetherAllCreateTheTable(TestDatabase db) throws Exception {
        int tasks = 6;
        CyclicBarrier together = new CyclicBarrier(tasks);
        ExecutorService pool = Executors.newFixedThreadPool(tasks);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                done.add(pool.submit(() -> {
                    try (Connection c = db.connect()) {
                        together.await();
                        OffsetLedger.create(c, dialect, "pgferry");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(db.queryLong("SELECT count(*) FROM pgferry.connect_offsets")).isZero();
    }

    @Test
    void anOffsetMovesOnlyFromTheValueTheTaskRead(TestDatabase db) throws Exception {
        TopicPartition tp = new TopicPartition("shop.public.t", 3);
        try (Connection c = db.connect()) {
            OffsetLedger.create(c, dialect, "pgferry");
            OffsetLedger mine = new OffsetLedger(dialect, "pgferry", "sink");
            OffsetLedger other = new OffsetLedger(dialect, "pgferry", "sink");
            mine.stage(tp, -1, 10);
            mine.record(c, Lsn.of(1), Instant.now());
            assertThat(mine.read(c, List.of(tp))).isEqualTo(Map.of(tp, 10L));
            // Another task that took the partition over moves it on.
            other.stage(tp, 10, 20);
            other.record(c, Lsn.of(1), Instant.now());
            // This task, which has not noticed, must not apply its batch.
            mine.stage(tp, 10, 15);
            assertThatThrownBy(() -> mine.record(c, Lsn.of(2), Instant.now()))
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("moved since this task read it")
                    .matches(e -> ((PgFerryException) e).isRetriable());
            mine.stage(tp, -1, 15);
            assertThatThrownBy(() -> mine.record(c, Lsn.of(2), Instant.now())).isInstanceOf(PgFerryException.class);
            assertThat(new OffsetLedger(dialect, "pgferry", "another connector").read(c, List.of(tp)))
                    .isEmpty();
            mine.close();
            other.close();
        }
    }
}
