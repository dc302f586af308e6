package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.TableState;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.postgres.CopyTextRow;
import io.pgferry.postgres.InitialCopy;
import io.pgferry.postgres.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial copy into a destination that is not PostgreSQL: workers import the slot's exported snapshot and take
 * block ranges from one queue ({@link RangePlanner}), read each with {@code COPY (SELECT ...) TO STDOUT} in text
 * format, and hand the rows to a sink of their own as {@link ChangeEvent.Read} changes, so that they are converted by
 * the same type mapping (or the same envelope) as streamed changes. Each range is committed on its own ({@link
 * ChangeSink#commitCopy()}); the position is stored at the consistent point once every range is in ({@link Ledger}). A copy that fails or is killed is started
 * again, since its snapshot is gone.
 */
final class ForeignCopy implements InitialCopy {
    private static final Logger log = LoggerFactory.getLogger(ForeignCopy.class);

    private final int workers;
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
    ForeignCopy(
            int workers,
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            Ledger ledger,
            Supplier<Connection> source,
            IntFunction<ChangeSink> sinks,
            Consumer<CopyProgress> onStart) {
        this.workers = workers;
        this.tables = tables;
        this.relations = relations;
        this.ledger = ledger;
        this.source = source;
        this.sinks = sinks;
        this.onStart = onStart;
    }

    @Override
    public void copy(String snapshotName, Lsn consistentPoint, List<TableName> published) throws Exception {
        log.warn("the initial copy holds a snapshot open on the source: until it ends, vacuum there cannot remove rows"
                + " deleted or updated meanwhile");
        List<CopyRange> ranges = RangePlanner.plan(tables, workers);
        CopyProgress progress = new CopyProgress(tables, ranges);
        onStart.accept(progress);
        long started = System.nanoTime();
        try {
            for (SourceTable t : tables) {
                setState(t, TableState.COPYING, progress);
            }
            ConcurrentLinkedQueue<CopyRange> queue = new ConcurrentLinkedQueue<>(ranges);
            AtomicBoolean failed = new AtomicBoolean();
            SnapshotCopy.runAll(workers, worker -> {
                try {
                    work(worker, snapshotName, queue, failed, progress);
                } catch (SQLException | RuntimeException e) {
                    failed.set(true);
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

    private void work(
            int worker,
            String snapshotName,
            ConcurrentLinkedQueue<CopyRange> queue,
            AtomicBoolean failed,
            CopyProgress progress)
            throws SQLException {
        try (Connection src = source.get();
                ChangeSink sink = sinks.apply(worker)) {
            src.setAutoCommit(false);
            src.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement st = src.createStatement()) {
                st.execute("SET TRANSACTION READ ONLY");
                st.execute("SET TRANSACTION SNAPSHOT " + PgSql.literal(snapshotName));
            }
            CopyRange r;
            while (!failed.get() && (r = queue.poll()) != null) {
                CopyProgress.Table counters = progress.table(r.table().name());
                long rows = copyRange(src, sink, r, counters);
                if (counters.finishRange(rows)) {
                    setState(r.table(), TableState.COPYING, progress);
                    log.info("copied {} ({} rows)", r.table().name(), counters.rows());
                }
            }
            src.commit();
        }
    }

    /** Reads one range and writes it through the sink in one destination transaction; returns the rows copied. */
    private long copyRange(Connection src, ChangeSink sink, CopyRange r, CopyProgress.Table counters)
            throws SQLException {
        Relation relation = relations.get(r.table().name());
        StringBuilder cols = new StringBuilder();
        for (ColumnDef c : r.table().copyColumns()) {
            cols.append(cols.length() == 0 ? "" : ", ").append(PgSql.quote(c.name()));
        }
        CopyOut out = src.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyOut("COPY (SELECT " + cols + " FROM ONLY " + r.leaf().qualified() + r.predicate() + ") TO STDOUT");
        int width = relation.columns().size();
        long rows = 0;
        try {
            sink.begin();
            byte[] b;
            while ((b = out.readFromCopy()) != null) {
                Row row = new Row(relation, CopyTextRow.parse(b, width), BuiltinTypes.builtin(), false);
                sink.apply(new ChangeEvent.Read(Lsn.INVALID, relation, row));
                counters.addBytes(b.length);
                rows++;
            }
            sink.commitCopy();
            return rows;
        } catch (SQLException | RuntimeException e) {
            if (out.isActive()) {
                out.cancelCopy();
            }
            sink.rollback();
            throw e;
        }
    }

    private void setState(SourceTable t, TableState state, CopyProgress progress) throws SQLException {
        CopyProgress.Table p = progress.table(t.name());
        synchronized (ledger) {
            ledger.state(t, state, p.rows(), p.bytes());
        }
    }
}
