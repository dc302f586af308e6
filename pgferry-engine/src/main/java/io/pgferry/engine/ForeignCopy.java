package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.MaskingStage;
import io.pgferry.core.sink.TableState;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.postgres.CopyTextRow;
import io.pgferry.postgres.InitialCopy;
import io.pgferry.postgres.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial copy into a destination that is not PostgreSQL. Readers import the slot's exported snapshot and take
 * block ranges from one queue ({@link RangePlanner}), read each with {@code COPY (SELECT ...) TO STDOUT} in text
 * format, and hand the decoded rows in batches to writers, each with a sink of its own, which apply them as {@link
 * ChangeEvent.Read} changes, so that they are converted by the same type mapping (or the same envelope) as streamed
 * changes. Reading and writing overlap, and there may be fewer writers than readers (SQLite takes one writer at a
 * time). Each batch is committed on its own ({@link ChangeSink#commitCopy()}); the position is stored at the
 * consistent point once every batch is in ({@link Ledger}). A bounded queue between them keeps memory in check. A copy that fails or is killed is started
 * again, since its snapshot is gone.
 */
final class ForeignCopy implements InitialCopy {
    private static final Logger log = LoggerFactory.getLogger(ForeignCopy.class);

    /** Rows a reader hands a writer at once, and a writer commits at once. */
    private static final int BATCH_ROWS = 5_000;

    private final int readers;
    private final int writers;
    private final List<SourceTable> tables;
    private final Map<TableName, Relation> relations;
    private final Ledger ledger;
    private final Supplier<Connection> source;
    private final IntFunction<ChangeSink> sinks;
    private final Consumer<CopyProgress> onStart;

    /** Where the copy records its progress: the per-table states and, once every range is in, the position. */
    interface Ledger {
        /** Records {@code table}'s state and counters; called by several workers, one call at a time. */
        void state(SourceTable table, TableState state, long rows, long bytes) throws SQLException;

        /** Records the slot's consistent point as the position: the copy is complete. */
        void complete(Lsn consistentPoint) throws SQLException;
    }

    /**
     * @param sinks the sink of copy worker n (0, 1, ...)
     */
    private final Masks masks;

    ForeignCopy(
            int readers,
            int writers,
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            Ledger ledger,
            Supplier<Connection> source,
            IntFunction<ChangeSink> sinks,
            Consumer<CopyProgress> onStart,
            Masks masks) {
        this.masks = masks;
        this.readers = readers;
        this.writers = writers;
        this.tables = tables;
        this.relations = relations;
        this.ledger = ledger;
        this.source = source;
        this.sinks = sinks;
        this.onStart = onStart;
    }

    /** Rows of one range on their way from a reader to a writer; {@code last} ends the range. */
    private record Batch(CopyRange range, List<Row> rows, long bytes, boolean last) {}

    /** Tells a writer that every reader is done. */
    private static final Batch END = new Batch(null, List.of(), 0, true);

    /** Per range: rows written so far, and batches queued but not yet committed (plus one until its last is read). */
    private static final class RangeCount {
        final AtomicLong rows = new AtomicLong();
        final AtomicInteger pending = new AtomicInteger(1);
    }

    @Override
    public void copy(String snapshotName, Lsn consistentPoint, List<TableName> published) throws Exception {
        log.warn("the initial copy holds a snapshot open on the source: until it ends, vacuum there cannot remove rows"
                + " deleted or updated meanwhile");
        List<CopyRange> ranges = RangePlanner.plan(tables, readers);
        CopyProgress progress = new CopyProgress(tables, ranges);
        onStart.accept(progress);
        long started = System.nanoTime();
        try {
            for (SourceTable t : tables) {
                setState(t, TableState.COPYING, progress);
            }
            ConcurrentLinkedQueue<CopyRange> todo = new ConcurrentLinkedQueue<>(ranges);
            BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(2 * (readers + writers));
            Map<CopyRange, RangeCount> counts = new ConcurrentHashMap<>();
            AtomicBoolean failed = new AtomicBoolean();
            AtomicInteger readersLeft = new AtomicInteger(readers);
            SnapshotCopy.runAll(readers + writers, worker -> {
                try {
                    if (worker < readers) {
                        try {
                            read(snapshotName, todo, batches, counts, failed);
                        } finally {
                            if (readersLeft.decrementAndGet() == 0) {
                                for (int w = 0; w < writers; w++) {
                                    put(batches, END, null);
                                }
                            }
                        }
                    } else {
                        write(worker - readers, batches, counts, failed, progress);
                    }
                } catch (SQLException | RuntimeException | InterruptedException e) {
                    failed.set(true);
                    batches.clear();
                    throw e;
                }
            });
            for (SourceTable t : tables) {
                setState(t, TableState.CATCHING_UP, progress);
            }
            ledger.complete(consistentPoint);
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "the initial copy failed");
        }
        log.info(
                "copied {} rows of {} tables in {} s",
                progress.rows(),
                tables.size(),
                (System.nanoTime() - started) / 1_000_000_000L);
    }

    /** A reader: imports the snapshot, then reads ranges into batches until none remain. */
    private void read(
            String snapshotName,
            ConcurrentLinkedQueue<CopyRange> todo,
            BlockingQueue<Batch> batches,
            Map<CopyRange, RangeCount> counts,
            AtomicBoolean failed)
            throws SQLException, InterruptedException {
        try (Connection src = source.get()) {
            src.setAutoCommit(false);
            src.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement st = src.createStatement()) {
                st.execute("SET TRANSACTION READ ONLY");
                st.execute("SET TRANSACTION SNAPSHOT " + PgSql.literal(snapshotName));
            }
            CopyRange r;
            while (!failed.get() && (r = todo.poll()) != null) {
                counts.put(r, new RangeCount());
                readRange(src, r, batches, counts.get(r), failed);
            }
            src.commit();
        }
    }

    /** Reads one range with COPY TO in text format, handing its rows on in batches of {@link #BATCH_ROWS}. */
    private void readRange(
            Connection src, CopyRange r, BlockingQueue<Batch> batches, RangeCount count, AtomicBoolean failed)
            throws SQLException, InterruptedException {
        Relation relation = relations.get(r.table().name());
        StringBuilder cols = new StringBuilder();
        for (ColumnDef c : r.table().copyColumns()) {
            cols.append(cols.length() == 0 ? "" : ", ").append(PgSql.quote(c.name()));
        }
        CopyOut out = src.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyOut("COPY (SELECT " + cols + " FROM ONLY " + r.leaf().qualified() + r.predicate() + ") TO STDOUT");
        int width = relation.columns().size();
        ValueMask.TableMask mask = masks.of(relation);
        try {
            List<Row> rows = new ArrayList<>(BATCH_ROWS);
            long bytes = 0;
            byte[] b;
            while ((b = out.readFromCopy()) != null) {
                Row row = new Row(relation, CopyTextRow.parse(b, width), BuiltinTypes.builtin(), false);
                rows.add(mask == null ? row : MaskingStage.mask(row, mask));
                bytes += b.length;
                if (rows.size() == BATCH_ROWS) {
                    count.pending.incrementAndGet();
                    put(batches, new Batch(r, rows, bytes, false), failed);
                    rows = new ArrayList<>(BATCH_ROWS);
                    bytes = 0;
                }
            }
            put(batches, new Batch(r, rows, bytes, true), failed);
        } finally {
            if (out.isActive()) {
                out.cancelCopy();
            }
        }
    }

    /** Queues {@code b}, giving up when the copy failed meanwhile (writers no longer take batches then). */
    private static void put(BlockingQueue<Batch> batches, Batch b, AtomicBoolean failed) throws InterruptedException {
        while (!batches.offer(b, 100, TimeUnit.MILLISECONDS)) {
            if (failed != null && failed.get()) {
                throw new IllegalStateException("the initial copy failed in another worker");
            }
        }
    }

    /** A writer: commits each batch on its own sink, and counts a range done once its last batch is committed. */
    private void write(
            int writer,
            BlockingQueue<Batch> batches,
            Map<CopyRange, RangeCount> counts,
            AtomicBoolean failed,
            CopyProgress progress)
            throws SQLException, InterruptedException {
        try (ChangeSink sink = sinks.apply(writer)) {
            while (!failed.get()) {
                Batch b = batches.poll(100, TimeUnit.MILLISECONDS);
                if (b == null) {
                    continue;
                }
                if (b == END) {
                    return;
                }
                Relation relation = relations.get(b.range().table().name());
                try {
                    sink.begin();
                    for (Row row : b.rows()) {
                        sink.apply(new ChangeEvent.Read(Lsn.INVALID, relation, row));
                    }
                    sink.commitCopy();
                } catch (RuntimeException e) {
                    sink.rollback();
                    throw e;
                }
                CopyProgress.Table counters = progress.table(b.range().table().name());
                counters.addBytes(b.bytes());
                RangeCount count = counts.get(b.range());
                count.rows.addAndGet(b.rows().size());
                if (count.pending.decrementAndGet() == 0 && counters.finishRange(count.rows.get())) {
                    setState(b.range().table(), TableState.COPYING, progress);
                    log.info("copied {} ({} rows)", b.range().table().name(), counters.rows());
                }
            }
        }
    }

    private void setState(SourceTable t, TableState state, CopyProgress progress) throws SQLException {
        CopyProgress.Table p = progress.table(t.name());
        synchronized (ledger) {
            ledger.state(t, state, p.rows(), p.bytes());
        }
    }
}
