package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The walsender dies mid-stream: the stream reconnects and delivers every transaction exactly once. */
@PgTest
@Tag("stream")
class ChangeStreamReconnectTest {
    private static final int TRANSACTIONS = 200;

    private static int changeCount(List<Collector.Tx> txs) {
        return txs.stream().mapToInt(tx -> tx.changes().size()).sum();
    }

    private static void killWalsender(TestDatabase db) throws Exception {
        db.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 's'");
    }

    @Test
    void killedWalsenderLosesAndRepeatsNothing(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Collector c = new Collector();
        StreamConfig config = StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("public.t")
                // Checkpoints lag the acknowledgements, so a reconnect restarts from before what was delivered.
                .checkpointInterval(Duration.ofMillis(300))
                .build();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (ChangeStream stream = ChangeStream.create(config, c)) {
            stream.start();
            Future<?> writes = writer.submit(() -> {
                try (Connection conn = db.connect();
                        PreparedStatement ps = conn.prepareStatement("INSERT INTO t VALUES (?)")) {
                    for (int id = 1; id <= TRANSACTIONS; id++) {
                        ps.setInt(1, id);
                        ps.executeUpdate();
                    }
                }
                return null;
            });
            c.await(txs -> changeCount(txs) >= 50, Duration.ofSeconds(60));
            killWalsender(db);
            c.await(txs -> changeCount(txs) >= 120, Duration.ofSeconds(60));
            ServerProbe.await(
                    "the stream is back on its slot",
                    Duration.ofSeconds(30),
                    () -> db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 's' AND active")
                            == 1);
            killWalsender(db);
            writes.get(60, TimeUnit.SECONDS);
            c.await(txs -> changeCount(txs) >= TRANSACTIONS, Duration.ofSeconds(60));
            // Whatever was in flight at the second kill has arrived by now; wait for the stream to be caught up.
            ServerProbe.await(
                    "stream acknowledged the last insert", Duration.ofSeconds(30), () -> !stream.acknowledgedLsn()
                            .isBefore(c.transactions()
                                    .get(c.transactions().size() - 1)
                                    .endLsn()));
            db.execute("INSERT INTO t VALUES (" + (TRANSACTIONS + 1) + ")");
            c.await(txs -> changeCount(txs) >= TRANSACTIONS + 1, Duration.ofSeconds(60));

            List<Integer> ids = new ArrayList<>();
            for (Collector.Change ch : c.changes()) {
                ids.add(Integer.parseInt(ch.after().get(0)));
            }
            assertThat(ids)
                    .as("each id exactly once, in commit order")
                    .containsExactlyElementsOf(
                            IntStream.rangeClosed(1, TRANSACTIONS + 1).boxed().toList());
            assertThat(stream.stats().reconnects()).isGreaterThanOrEqualTo(1);
            assertThat(stream.lastError()).isNull();
            assertThat(stream.state()).isEqualTo(ChangeStream.State.STREAMING);
        } finally {
            writer.shutdownNow();
        }
    }
}
