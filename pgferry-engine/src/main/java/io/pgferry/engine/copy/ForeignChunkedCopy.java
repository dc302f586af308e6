package io.pgferry.engine.copy;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Relation;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.ChunkMark;
import io.pgferry.core.sink.TableFailure;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.schema.ColumnDef;
import io.pgferry.engine.schema.PgSql;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.CopyChunks;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.InitialCopy;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunked copy into a destination that is not PostgreSQL: {@link ChunkedCopy}'s plan, with no snapshot held and
 * resumed after a crash, and {@link ForeignCopy}'s rows, converted through the sink's type mapping and committed in
 * batches. It runs after the slot is created, so the slot holds every change made while it copies:
 *
 * <ol>
 *   <li>the plan of key ranges is stored at the destination ({@link ChunkPlan}) before anything is copied;
 *   <li>N workers copy the chunks, each read in key order in one source statement of its own and committed in
 *       batches of {@link RowBatches#BATCH_ROWS}, each batch with its chunk's mark: the rows in so far and the key of
 *       the last ({@link ChunkMark}). A chunk cut short, by a crash or a lost session, goes on after that key: a row
 *       below it that changed meanwhile changed after the slot's start, so the replay brings it;
 *   <li>the source's WAL insert position is read after the last chunk, and recorded with the slot's start as the
 *       position from which apply is exact again.
 * </ol>
 *
 * The changes streamed from the slot's start to that position are then replayed idempotently ({@link
 * ChangeSink#idempotent}). The destination's tables get no secondary unique index from the sync, so nothing waits
 * for the replay to end.
 */
public final class ForeignChunkedCopy implements InitialCopy {
    private static final Logger log = LoggerFactory.getLogger(ForeignChunkedCopy.class);
    private static final String GOES_ON = "start the sync again: the copy goes on with the chunks not yet copied";

    private final SyncConfig config;
    private final int writers;
    private final List<SourceTable> tables;
    private final Map<TableName, Relation> relations;
    private final Map<TableName, TargetTable> targets;
    private final Map<TableName, Boolean> created;
    private final SyncCatalog catalog;
    private final CopyChunks chunks;
    private final Supplier<String> fingerprint;
    /** Where the chunks are read: the source, or a hot standby of it ({@link CopySource}). */
    private final Supplier<Connection> source;

    private final Supplier<Connection> primary;
    private final Supplier<Connection> target;
    private final IntFunction<ChangeSink> sinks;
    private final Consumer<CopyProgress> onStart;
    private final Masks masks;
    private final CopyEnd end;

    /**
     * Where the tables are and what the copy records; {@code writers} of the workers may commit at once; {@code end}
     * runs once every chunk is in, before the copy records its end.
     */
    public record Destination(
            int writers,
            Map<TableName, TargetTable> targets,
            Map<TableName, Boolean> created,
            SyncCatalog catalog,
            Supplier<String> fingerprint,
            Supplier<Connection> connect,
            IntFunction<ChangeSink> sinks,
            CopyEnd end) {}

    /**
     * @param source opens a session to read chunks on: the source, or the standby to copy from
     * @param primary opens a session on the source itself
     */
    public ForeignChunkedCopy(
            SyncConfig config,
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            Destination destination,
            Supplier<Connection> source,
            Supplier<Connection> primary,
            Consumer<CopyProgress> onStart,
            Masks masks) {
        this.config = config;
        this.writers = Math.max(1, Math.min(destination.writers(), config.workers()));
        this.tables = tables;
        this.relations = relations;
        this.targets = destination.targets();
        this.created = destination.created();
        this.catalog = destination.catalog();
        this.chunks = destination.catalog().copyChunks();
        this.fingerprint = destination.fingerprint();
        this.target = destination.connect();
        this.sinks = destination.sinks();
        this.end = destination.end();
        this.source = source;
        this.primary = primary;
        this.onStart = onStart;
        this.masks = masks;
    }

    @Override
    public boolean needsSnapshot() {
        return false;
    }

    @Override
    public boolean resumable() {
        return true;
    }

    @Override
    public void copy(String snapshotName, Lsn consistentPoint, List<TableName> published) throws Exception {
        run(consistentPoint);
    }

    private void run(Lsn start) throws Exception {
        long started = System.nanoTime();
        AtomicBoolean failed = new AtomicBoolean();
        CopyRetry reading = new CopyRetry(config.maxRetryTime(), GOES_ON, "the source");
        try (RecordSession records = new RecordSession(
                        target, new CopyRetry(config.maxRetryTime(), GOES_ON, "the destination"), failed::get);
                Connection planning = source.get();
                Connection origin = primary.get()) {
            if (config.copySource() != null) {
                CopySource.awaitReplay(
                        planning, start, config.maxRetryTime(), ChunkedCopy.describe(config.copySource()));
            }
            ChunkPlan.Resumed plan;
            try (Connection states = target.get()) {
                plan = ChunkPlan.resume(config, tables, chunks, states, planning);
            }
            CopyProgress progress = plan.progress();
            ConcurrentLinkedQueue<KeyRange> todo = new ConcurrentLinkedQueue<>(plan.left());
            onStart.accept(progress);
            records.write("record the tables' states", c -> {
                for (SourceTable t : tables) {
                    setState(c, t, TableState.COPYING, progress);
                }
            });
            RowBatches batches = new RowBatches(new Semaphore(writers, true), failed, masks);
            SnapshotCopy.runAll(config.workers(), worker -> {
                try (WorkerSessions w = new WorkerSessions(this::openSource, () -> sinks.apply(worker))) {
                    KeyRange r;
                    while (!failed.get() && (r = todo.poll()) != null) {
                        copy(w, r, batches, reading, records, progress, failed);
                    }
                } catch (SQLException | RuntimeException | InterruptedException e) {
                    failed.set(true);
                    throw e;
                }
            });
            Lsn exactFrom = ChunkedCopy.insertPosition(origin);
            log.info(
                    "copied {} rows ({} MB) of {} tables in {} chunks in {} s; changes up to {} are replayed"
                            + " idempotently",
                    progress.rows(),
                    progress.bytes() >> 20,
                    tables.size(),
                    plan.all().size(),
                    (System.nanoTime() - started) / 1_000_000_000L,
                    exactFrom);
            end.run();
            records.writeInTransaction("record the copy's end", c -> {
                for (SourceTable t : tables) {
                    setState(c, t, TableState.CATCHING_UP, progress);
                }
                catalog.savePosition(c, fingerprint.get(), start, null);
                catalog.setExactFrom(c, exactFrom);
            });
        } catch (SQLException e) {
            throw JdbcErrors.notRetried(e, "the chunked copy failed", GOES_ON);
        }
    }

    /** Copies chunk {@code r}, again after its last committed batch after a failure that passes. */
    private void copy(
            WorkerSessions w,
            KeyRange r,
            RowBatches batches,
            CopyRetry reading,
            RecordSession records,
            CopyProgress progress,
            AtomicBoolean failed)
            throws SQLException, InterruptedException {
        TableName name = r.table().name();
        CopyProgress.Table counters = progress.table(name);
        long rows;
        try {
            rows = reading.run("copy " + r, failed::get, again -> {
                try {
                    KeyRange from = again ? r.at(reload(records, r.chunk())) : r;
                    return from.chunk().done() ? from.chunk().rows() : copyChunk(w, from, batches, counters);
                } catch (SQLException | RuntimeException e) {
                    w.close();
                    throw e;
                }
            });
        } catch (SQLException e) {
            // A sink throws unchecked exceptions: this one is the source's.
            throw TableFailure.of(
                    name.schema(),
                    name.name(),
                    JdbcErrors.notRetried(e, "could not read table " + name, "the source", GOES_ON));
        } catch (PgFerryException e) {
            throw TableFailure.of(name.schema(), name.name(), e);
        }
        if (rows >= 0 && counters.finishRange(rows)) {
            records.write("record the state of " + name, c -> setState(c, r.table(), TableState.COPYING, progress));
            log.info("copied {} ({} rows)", name, counters.rows());
        }
    }

    /** Reads {@code r} in key order from where it stands; returns the chunk's rows, or -1 when another worker failed. */
    private long copyChunk(WorkerSessions w, KeyRange r, RowBatches batches, CopyProgress.Table counters)
            throws SQLException, InterruptedException {
        List<ColumnDef> columns = r.table().copyColumns();
        StringBuilder select = new StringBuilder();
        List<Integer> keyAt = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            select.append(i == 0 ? "" : ", ").append(PgSql.quote(columns.get(i).name()));
        }
        for (String k : r.table().primaryKey()) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(k)) {
                    keyAt.add(i);
                }
            }
        }
        CopyChunks.Chunk chunk = r.chunk();
        if (chunk.after() != null) {
            log.info("{} goes on after the {} rows committed before", r, chunk.rows());
        }
        return batches.copy(
                w.source(),
                w.sink(),
                relations.get(r.table().name()),
                "SELECT " + select + " FROM ONLY " + r.leaf().qualified() + r.predicate() + r.orderBy(),
                0,
                chunk.rows(),
                r,
                (sink, rows, last, end) -> sink.commitCopy(new ChunkMark(
                        chunk.relation(), chunk.number(), rows, last == null ? chunk.after() : key(last, keyAt), end)),
                counters);
    }

    private static List<String> key(TupleData row, List<Integer> keyAt) {
        List<String> out = new ArrayList<>(keyAt.size());
        for (int i : keyAt) {
            out.add(row.text(i));
        }
        return out;
    }

    /** The chunk as the destination has it now. */
    private CopyChunks.Chunk reload(RecordSession records, CopyChunks.Chunk chunk)
            throws SQLException, InterruptedException {
        List<CopyChunks.Chunk> stored = new ArrayList<>(1);
        records.write("read the marks of " + chunk, c -> stored.add(chunks.reload(c, chunk)));
        return stored.get(0);
    }

    private Connection openSource() throws SQLException {
        Connection src = source.get();
        try (Statement st = src.createStatement()) {
            src.setAutoCommit(true);
            // The bounds are written as literals (KeyRange); this makes quote-doubling exact.
            st.execute("SET standard_conforming_strings = on");
            return src;
        } catch (SQLException e) {
            src.close();
            throw e;
        }
    }

    private void setState(Connection c, SourceTable t, TableState state, CopyProgress progress) throws SQLException {
        CopyProgress.Table p = progress.table(t.name());
        catalog.setState(
                c,
                t.name().toString(),
                targets.get(t.name()),
                state,
                p.rows(),
                p.bytes(),
                created.getOrDefault(t.name(), false),
                null);
    }
}
