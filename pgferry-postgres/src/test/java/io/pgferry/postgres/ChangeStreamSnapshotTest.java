package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The initial snapshot: rows existing when the slot is created arrive as Read events, rows committed after it as
 * changes, each row exactly once, even when commits happen while the snapshot is being delivered.
 */
@PgTest
@Tag("stream")
class ChangeStreamSnapshotTest {

    /** Blocks in the first snapshot transaction until released, then collects like {@link Collector}. */
    private static final class BlockingHandler implements TransactionHandler {
        final Collector collector = new Collector();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void onTransaction(Transaction tx) throws Exception {
            if (tx.kind() == Transaction.Kind.SNAPSHOT && entered.getCount() > 0) {
                entered.countDown();
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the snapshot");
                }
            }
            collector.onTransaction(tx);
        }
    }

    @Test
    void snapshotRowsThenLaterChangesEachExactlyOnce(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE a (id int PRIMARY KEY, v text)",
                "CREATE TABLE b (id int PRIMARY KEY)",
                "CREATE TABLE empty (id int PRIMARY KEY)",
                "INSERT INTO a SELECT i, 'old' FROM generate_series(1, 1000) i",
                "INSERT INTO b SELECT i FROM generate_series(1, 300) i");
        BlockingHandler h = new BlockingHandler();
        StreamConfig config = StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("public.a", "public.b", "public.empty")
                .snapshot(true)
                .build();
        try (ChangeStream stream = ChangeStream.create(config, h)) {
            stream.start();
            assertThat(h.entered.await(60, TimeUnit.SECONDS))
                    .as("snapshot delivery started")
                    .isTrue();
            assertThat(stream.state()).isEqualTo(ChangeStream.State.SNAPSHOTTING);
            // Committed after the slot's consistent point, while the snapshot is being delivered.
            db.execute(
                    "INSERT INTO a SELECT i, 'new' FROM generate_series(1001, 1100) i",
                    "UPDATE a SET v = 'changed' WHERE id = 1",
                    "DELETE FROM b WHERE id = 300",
                    "INSERT INTO b VALUES (301)",
                    "INSERT INTO empty VALUES (1)");
            h.release.countDown();
            List<Collector.Tx> txs = h.collector.awaitTransactions(3 + 5);

            List<Collector.Tx> snapshot = txs.subList(0, 3);
            assertThat(snapshot).extracting(Collector.Tx::kind).containsOnly(Transaction.Kind.SNAPSHOT);
            assertThat(snapshot).extracting(Collector.Tx::commitTime).containsOnlyNulls();
            Map<String, List<Integer>> read = new HashMap<>();
            for (Collector.Tx tx : snapshot) {
                for (Collector.Change ch : tx.changes()) {
                    assertThat(ch.op()).isEqualTo("read");
                    read.computeIfAbsent(ch.table(), k -> new ArrayList<>())
                            .add(Integer.parseInt(ch.after().get(0)));
                }
            }
            assertThat(read.get("public.a")).containsExactlyInAnyOrderElementsOf(range(1, 1000));
            assertThat(read.get("public.b")).containsExactlyInAnyOrderElementsOf(range(1, 300));
            assertThat(read).doesNotContainKey("public.empty");
            assertThat(snapshot.get(0).changes())
                    .allSatisfy(ch -> assertThat(ch.after().get(1)).isEqualTo("old"));
            // Only the last snapshot transaction acknowledges the snapshot as a whole.
            assertThat(snapshot.get(2).endLsn()).isEqualTo(snapshot.get(2).commitLsn());
            assertThat(snapshot.get(0).endLsn().isValid()).isFalse();

            List<Collector.Tx> after = txs.subList(3, txs.size());
            assertThat(after).extracting(Collector.Tx::kind).containsOnly(Transaction.Kind.COMMITTED);
            assertThat(after.get(0).changes())
                    .extracting(ch -> Integer.parseInt(ch.after().get(0)))
                    .containsExactlyElementsOf(range(1001, 1100));
            assertThat(after.get(1).changes().get(0).after()).containsExactly("1", "changed");
            assertThat(after.get(2).changes().get(0).op()).isEqualTo("delete");
            assertThat(after.get(3).changes().get(0).after()).containsExactly("301");
            assertThat(after.get(4).changes().get(0).table()).isEqualTo("public.empty");
            assertThat(after.get(0).commitLsn())
                    .isGreaterThanOrEqualTo(snapshot.get(2).commitLsn());
            assertThat(stream.state()).isEqualTo(ChangeStream.State.STREAMING);
        }
    }

    @Test
    void snapshotOnAnExistingSlotWithoutCheckpointIsRefused(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        StreamConfig.Builder config = StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("public.t");
        try (ChangeStream first = ChangeStream.create(config.build(), new Collector())) {
            first.start();
        }
        ChangeStream again = ChangeStream.create(config.snapshot(true).build(), new Collector());
        assertThatThrownBy(again::start)
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("slot s already exists")
                .hasMessageContaining("drop");
        assertThat(again.state()).isEqualTo(ChangeStream.State.STOPPED);
        assertThat(again.awaitTermination(Duration.ofSeconds(1))).isTrue();
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().toList();
    }
}
