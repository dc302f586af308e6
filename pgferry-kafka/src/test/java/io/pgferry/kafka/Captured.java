package io.pgferry.kafka;

import static org.assertj.core.api.Assertions.fail;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.core.sink.SourceTransaction;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A source transaction as a real PostgreSQL stream delivered it: its events (real Relations and Rows, which stay
 * valid after delivery) and what a sink is told of it. {@link #capture} runs SQL against a test database and
 * collects what the stream delivers; {@link #applyTo} hands a transaction to a sink as the engine does.
 */
record Captured(
        long xid, Lsn commitLsn, Lsn endLsn, Instant commitTime, Transaction.Kind kind, List<ChangeEvent> changes) {

    /**
     * Streams the publication {@code p} of {@code tables} from a new slot, runs {@code sql} (one autocommit
     * statement each), and returns the first {@code transactions} transactions that carry changes (PostgreSQL 14
     * also sends empty ones).
     */
    static List<Captured> capture(TestDatabase db, List<String> tables, int transactions, String... sql)
            throws SQLException, InterruptedException {
        return capture(db, tables, transactions, c -> c, sql);
    }

    static List<Captured> capture(
            TestDatabase db,
            List<String> tables,
            int transactions,
            UnaryOperator<StreamConfig.Builder> config,
            String... sql)
            throws SQLException, InterruptedException {
        List<Captured> out = new ArrayList<>();
        TransactionHandler handler = tx -> {
            List<ChangeEvent> changes = new ArrayList<>();
            for (ChangeEvent e : tx) {
                changes.add(e);
            }
            synchronized (out) {
                if (!changes.isEmpty()) {
                    out.add(new Captured(tx.xid(), tx.commitLsn(), tx.endLsn(), tx.commitTime(), tx.kind(), changes));
                    out.notifyAll();
                }
            }
            tx.ack();
        };
        StreamConfig.Builder builder = StreamConfig.builder()
                .source(db.uri())
                .publication("p")
                .slot("s")
                .tables(tables.toArray(String[]::new));
        try (ChangeStream stream = ChangeStream.create(config.apply(builder).build(), handler)) {
            stream.start();
            db.execute(sql);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            synchronized (out) {
                while (out.size() < transactions) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        fail("got " + out.size() + " transactions with changes, not " + transactions);
                    }
                    out.wait(Math.max(1, left / 1_000_000));
                }
                return List.copyOf(out.subList(0, transactions));
            }
        }
    }

    /** What the sink is told at the transaction's beginning ({@code changes} -1) or end. */
    SourceTransaction source(long count) {
        return new SourceTransaction(xid, commitLsn, endLsn, commitTime, count);
    }

    /** Applies this transaction inside the sink's open batch, between its boundaries. */
    void applyTo(KafkaSink sink) {
        sink.beginTransaction(source(-1));
        for (ChangeEvent c : changes) {
            sink.apply(c);
        }
        sink.endTransaction(source(changes.size()));
    }

    /** Each transaction a batch of its own, committed with its end position, as the engine does for Kafka. */
    static void commitEach(KafkaSink sink, List<Captured> txs) {
        for (Captured tx : txs) {
            sink.begin();
            tx.applyTo(sink);
            if (tx.kind() == Transaction.Kind.SNAPSHOT) {
                sink.commitCopy();
            } else {
                sink.commit(tx.endLsn(), tx.commitTime());
            }
        }
    }
}
