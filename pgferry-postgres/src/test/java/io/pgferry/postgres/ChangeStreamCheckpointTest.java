package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.core.checkpoint.FileCheckpointStore;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.postgres.admin.SlotLostException;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress saved in a checkpoint file: a restart resumes after it, and a checkpoint that does not fit is refused. */
@PgTest
@Tag("stream")
class ChangeStreamCheckpointTest {
    @TempDir
    Path dir;

    private StreamConfig.Builder config(TestDatabase db, Path checkpoint) {
        return StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables("public.t")
                .checkpointStore(new FileCheckpointStore(checkpoint))
                .checkpointInterval(Duration.ofMillis(100))
                .statusInterval(Duration.ofMillis(100));
    }

    private static List<String> ids(Collector c) {
        return c.changes().stream().map(ch -> ch.after().get(0)).toList();
    }

    @Test
    void restartResumesAfterTheCheckpoint(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Path file = dir.resolve("ckpt");
        StreamConfig config = config(db, file).build();
        Collector first = new Collector();
        try (ChangeStream stream = ChangeStream.create(config, first)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)");
            first.awaitTransactions(2);
        }
        Checkpoint saved = new FileCheckpointStore(file).load().orElseThrow();
        // At least the second transaction's end: while idle the stream may move past it, to WAL the server read
        // after it (a record of no published table), which is all accounted for
        // (StreamLoop.advancePastUnpublished). An exact match failed once in CI on PostgreSQL 14.
        assertThat(saved.lsn())
                .isGreaterThanOrEqualTo(first.transactions().get(1).endLsn());
        assertThat(saved.fingerprint()).isEqualTo(config.fingerprint(ServerProbe.systemIdentifier(db)));
        assertThat(ServerProbe.confirmedFlush(db, "s")).isEqualTo(saved.lsn());

        db.execute("INSERT INTO t VALUES (3)", "INSERT INTO t VALUES (4)");
        Collector second = new Collector();
        try (ChangeStream stream = ChangeStream.create(config, second)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (5)");
            second.awaitTransactions(3);
            assertThat(ids(second)).containsExactly("3", "4", "5");
        }
        assertThat(ids(first)).containsExactly("1", "2");
    }

    @Test
    void checkpointAheadOfTheSlotWins(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Path file = dir.resolve("ckpt");
        StreamConfig config = config(db, file).build();
        try (ChangeStream stream = ChangeStream.create(config, new Collector())) {
            stream.start();
        }
        db.execute("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)");
        // Learn the transactions' positions without acknowledging them, so the slot stays before all three.
        Collector peek = new Collector(false);
        try (ChangeStream stream = ChangeStream.create(config, peek)) {
            stream.start();
            peek.awaitTransactions(3);
        }
        // As if the process died after saving the checkpoint but before confirming it to the server.
        Lsn afterTwo = peek.transactions().get(1).endLsn();
        assertThat(ServerProbe.confirmedFlush(db, "s"))
                .isLessThan(peek.transactions().get(0).commitLsn());
        new FileCheckpointStore(file)
                .save(new Checkpoint(afterTwo, config.fingerprint(ServerProbe.systemIdentifier(db))));
        Collector second = new Collector();
        try (ChangeStream stream = ChangeStream.create(config, second)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (4)");
            second.awaitTransactions(2);
            assertThat(ids(second)).containsExactly("3", "4");
        }
    }

    @Test
    void checkpointOfAnotherTableListIsRefused(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE u (id int PRIMARY KEY)");
        Path file = dir.resolve("ckpt");
        Collector c = new Collector();
        try (ChangeStream stream =
                ChangeStream.create(config(db, file).tables("public.u").build(), c)) {
            stream.start();
            db.execute("INSERT INTO u VALUES (1)");
            c.awaitTransactions(1);
        }
        assertThat(new FileCheckpointStore(file).load()).isPresent();
        ChangeStream other = ChangeStream.create(config(db, file).build(), new Collector());
        assertThatThrownBy(other::start)
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("checkpoint file " + file.toAbsolutePath())
                .hasMessageContaining("another source, slot, publication or table list");
    }

    @Test
    void checkpointBehindTheSlotIsRefused(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Path file = dir.resolve("ckpt");
        StreamConfig config = config(db, file).build();
        Collector c = new Collector();
        try (ChangeStream stream = ChangeStream.create(config, c)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (1)");
            c.awaitTransactions(1);
        }
        Lsn slot = ServerProbe.confirmedFlush(db, "s");
        new FileCheckpointStore(file)
                .save(new Checkpoint(Lsn.of(slot.value() - 1), config.fingerprint(ServerProbe.systemIdentifier(db))));
        ChangeStream stream = ChangeStream.create(config, new Collector());
        assertThatThrownBy(stream::start)
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("behind")
                .hasMessageContaining(slot.toString());
    }

    /** Issue 2: a checkpoint whose slot was dropped is an error with the reset, never a silent new start. */
    @Test
    void checkpointOfADroppedSlotIsRefused(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Path file = dir.resolve("ckpt");
        StreamConfig config = config(db, file).build();
        Collector c = new Collector();
        try (ChangeStream stream = ChangeStream.create(config, c)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (1)");
            c.awaitTransactions(1);
        }
        assertThat(new FileCheckpointStore(file).load()).isPresent();
        db.execute("SELECT pg_drop_replication_slot('s')");
        ChangeStream stream = ChangeStream.create(config, new Collector());
        assertThatThrownBy(stream::start)
                .isInstanceOf(SlotLostException.class)
                .hasMessageContaining("slot s does not exist")
                .hasMessageContaining("delete the checkpoint");
        assertThat(ServerProbe.slots(db)).isZero();
    }

    @Test
    void withoutAcknowledgementsTheSlotDoesNotMove(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Path file = dir.resolve("ckpt");
        StreamConfig config = config(db, file).build();
        try (ChangeStream stream = ChangeStream.create(config, new Collector())) {
            stream.start();
        }
        Lsn start = ServerProbe.confirmedFlush(db, "s");
        db.execute("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)");
        Collector silent = new Collector(false);
        try (ChangeStream stream = ChangeStream.create(config, silent)) {
            stream.start();
            silent.awaitTransactions(2);
            db.execute("INSERT INTO t VALUES (3)", "SELECT pg_logical_emit_message(false, 'x', 'y')");
            silent.awaitTransactions(4);
            awaitIdlePass(db, silent);
            // Walsenders hold the slot in shared memory; confirmed_flush_lsn is what the stream reported.
            assertThat(ServerProbe.confirmedFlush(db, "s")).isEqualTo(start);
            assertThat(stream.acknowledgedLsn()).isEqualTo(start);
            assertThat(stream.stats().confirmed()).isEqualTo(start);
        }
        assertThat(ServerProbe.confirmedFlush(db, "s")).isEqualTo(start);
        Collector again = new Collector();
        try (ChangeStream stream = ChangeStream.create(config, again)) {
            stream.start();
            again.awaitTransactions(4);
            assertThat(ids(again.transactions().subList(0, 3))).containsExactly("1", "2", "3");
        }
    }

    @Test
    void acknowledgedMessageDoesNotConfirmTheCommitRightAfterIt(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        StreamConfig config = config(db, dir.resolve("ckpt")).build();
        // Acknowledges messages only: the transaction stays unacknowledged, so a restart must deliver it again.
        Collector seen = new Collector(false);
        TransactionHandler messagesOnly = tx -> {
            boolean message = tx.kind() == Transaction.Kind.MESSAGE;
            seen.onTransaction(tx);
            if (message) {
                tx.ack();
            }
        };
        try (ChangeStream stream = ChangeStream.create(config, messagesOnly);
                Connection open = db.connect();
                Statement st = open.createStatement()) {
            stream.start();
            open.setAutoCommit(false);
            st.execute("INSERT INTO t VALUES (1)");
            // The message's WAL record comes between the insert and the commit record, which directly follows it.
            db.execute("SELECT pg_logical_emit_message(false, 'm', '')");
            open.commit();
            List<Collector.Tx> txs = seen.awaitTransactions(2);
            assertThat(txs)
                    .extracting(Collector.Tx::kind)
                    .containsExactly(Transaction.Kind.MESSAGE, Transaction.Kind.COMMITTED);
            Lsn message = txs.get(0).endLsn();
            ServerProbe.await(
                    "the acknowledged message is confirmed",
                    Duration.ofSeconds(30),
                    () -> !ServerProbe.confirmedFlush(db, "s").isBefore(message));
            assertThat(ServerProbe.confirmedFlush(db, "s"))
                    .isLessThanOrEqualTo(txs.get(1).commitLsn());
        }
        Collector again = new Collector();
        try (ChangeStream stream = ChangeStream.create(config, again)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (2)");
            again.awaitTransactions(2);
            assertThat(ids(again)).containsExactly("1", "2");
        }
    }

    /**
     * Returns once the stream has run a whole idle pass (idle slot advance, checkpoint, confirmation) after everything
     * delivered so far: an idle report seen after now, followed by the delivery of a message emitted after it.
     */
    private static void awaitIdlePass(TestDatabase db, Collector c) throws Exception {
        int idles = c.idles();
        int delivered = c.transactions().size();
        db.execute("SELECT pg_logical_emit_message(false, 'tick', '1')");
        c.awaitTransactions(delivered + 1);
        c.awaitIdles(idles + 1);
        db.execute("SELECT pg_logical_emit_message(false, 'tick', '2')");
        c.awaitTransactions(delivered + 2);
    }

    private static List<String> ids(List<Collector.Tx> txs) {
        return txs.stream()
                .flatMap(tx -> tx.changes().stream())
                .map(ch -> ch.after().get(0))
                .toList();
    }
}
