package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.CheckpointStore;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@PgTest
@Tag("stream")
class ChangeStreamStopTest {

    /** Issue 2: a stop while the handler holds unacknowledged transactions lets it flush them; none come back. */
    @Test
    void stopGivesTheHandlerAChanceToAcknowledge(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        CheckpointStore store = CheckpointStore.inMemory();
        List<Long> seen = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TransactionHandler batching = new TransactionHandler() {
            private Transaction last;

            @Override
            public void onTransaction(Transaction tx) throws Exception {
                tx.forEach(c -> {});
                seen.add(tx.xid());
                last = tx;
                entered.countDown();
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            }

            @Override
            public void onIdle() {
                if (last != null) {
                    last.ack();
                    last = null;
                }
            }
        };
        ChangeStream first = ChangeStream.create(config(db, store).build(), batching);
        first.start();
        db.execute("INSERT INTO t VALUES (1)");
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        Thread stopper = new Thread(first::stop);
        stopper.start();
        while (first.state() != ChangeStream.State.STOPPING) {
            assertThat(first.awaitTermination(Duration.ofMillis(10))).isFalse();
        }
        release.countDown();
        stopper.join(30_000);
        assertThat(first.lastError()).isNull();
        assertThat(seen).hasSize(1);

        List<Long> again = new CopyOnWriteArrayList<>();
        ChangeStream second =
                ChangeStream.create(config(db, store).untilCaughtUp(true).build(), tx -> {
                    tx.forEach(c -> {});
                    again.add(tx.xid());
                    tx.ack();
                });
        second.run();
        assertThat(again).isEmpty();
    }

    /**
     * Regression (issue 5): a stop that came before the stream's loop existed (while it validated, created its slot)
     * did nothing, and the stream streamed on until something else ended it; a sync that started again was stopped so
     * and never ended. The stop is now kept: the stream ends as it starts, with its slot made and nothing lost.
     */
    @Test
    void aStopBeforeTheStreamStartsEndsItAsItStarts(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        CheckpointStore store = CheckpointStore.inMemory();
        ChangeStream early = ChangeStream.create(config(db, store).build(), tx -> {
            tx.forEach(c -> {});
            tx.ack();
        });
        early.stop();
        Thread runner = new Thread(early::run);
        runner.start();
        assertThat(early.awaitTermination(Duration.ofSeconds(30)))
                .as("the stream ended as it started")
                .isTrue();
        runner.join(30_000);
        assertThat(early.lastError()).isNull();
        db.execute("INSERT INTO t VALUES (2)");
        List<Long> seen = new CopyOnWriteArrayList<>();
        ChangeStream.create(config(db, store).untilCaughtUp(true).build(), tx -> {
                    tx.forEach(c -> {});
                    seen.add(tx.xid());
                    tx.ack();
                })
                .run();
        assertThat(seen).hasSize(1);
    }

    @Test
    void binaryFormatRefusesTypesItCannotDecodeBeforeCreatingAnything(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE shapes (id int PRIMARY KEY, p point)");
        StreamConfig config = StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("public.shapes")
                .binary(true)
                .build();
        assertThatThrownBy(() -> ChangeStream.create(config, tx -> {}).start())
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("column p of public.shapes has type point")
                .hasMessageContaining("stream without the binary option");
        assertThat(db.queryLong("SELECT count(*) FROM pg_publication")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                .isZero();
    }

    private static StreamConfig.Builder config(TestDatabase db, CheckpointStore store) {
        return StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("public.t")
                .checkpointStore(store);
    }
}
