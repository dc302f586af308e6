package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A sync from copy to streaming, against real PostgreSQL databases, compared row by row. */
@PgTest
@Tag("stream")
class SyncEngineTest {

    static SyncConfig.Builder config(TestDatabase source, TestDatabase target) {
        return SyncConfig.builder().source(source.uri()).target(target.uri()).workers(2);
    }

    @Test
    void copiesThenStreamsEveryKindOfChange(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL, note text DEFAULT 'x',"
                        + " created timestamptz)",
                "CREATE INDEX orders_amount ON orders (amount)",
                "CREATE TABLE items (order_id bigint REFERENCES orders, n int, PRIMARY KEY (order_id, n))",
                "INSERT INTO orders SELECT i, i * 1.5, 'n' || i, '2026-01-01 00:00+00'::timestamptz + i * interval '1"
                        + " minute' FROM generate_series(1, 5000) i",
                "INSERT INTO items SELECT i, 1 FROM generate_series(1, 5000) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            SyncEngine engine = new SyncEngine(config(source, target).build());
            ExecutorService runner = Executors.newSingleThreadExecutor();
            try {
                Future<SyncEngine.Result> run = runner.submit(engine::run);
                Databases.awaitSame(source, target, Duration.ofSeconds(60), "orders", "items");
                source.execute(
                        "INSERT INTO orders VALUES (5001, 1, 'new', now())",
                        "UPDATE orders SET amount = amount + 1 WHERE id <= 100",
                        "BEGIN; UPDATE orders SET note = 'first' WHERE id = 7; UPDATE orders SET note = 'second'"
                                + " WHERE id = 7; COMMIT",
                        "UPDATE orders SET id = 9001 WHERE id = 5001",
                        "DELETE FROM items WHERE order_id BETWEEN 200 AND 300",
                        "DELETE FROM orders WHERE id BETWEEN 200 AND 300");
                Databases.awaitSame(source, target, Duration.ofSeconds(60), "orders", "items");
                assertThat(target.queryString("SELECT note FROM orders WHERE id = 7"))
                        .isEqualTo("second");
                assertThat(target.queryLong("SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_amount'"))
                        .isEqualTo(1);
                // The rows can match before the table's state is recorded as streaming (the apply passes the copy's
                // end position a moment later): wait for the state rather than read it once.
                Databases.awaitStreaming(target, Duration.ofSeconds(60));
                assertThat(target.queryString(
                                "SELECT state FROM pgferry.table_state WHERE source_table =" + " 'public.orders'"))
                        .isEqualTo("streaming");
                engine.stop();
                run.get();
            } finally {
                engine.stop();
                runner.shutdownNow();
            }
        }
    }
}
