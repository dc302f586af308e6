package io.pgferry.engine.copy;

import io.pgferry.core.Lsn;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.schema.PostData;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.engine.schema.TargetSchema;
import io.pgferry.jdbc.CopyChunks;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.InitialCopy;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial copy of {@link io.pgferry.engine.config.CopyMode#CHUNKED}, which holds no snapshot and resumes after a
 * crash. It runs after the slot is created, so the slot holds every change made while it copies:
 *
 * <ol>
 *   <li>each relation is split into key ranges ({@link ChunkPlanner}), and the plan stored at the target ({@link
 *       CopyChunks}) before anything is copied;
 *   <li>N workers copy the chunks, each chunk in a short source statement of its own and one target transaction that
 *       also marks it done: after a crash exactly the chunks marked done are at the target, and a new run copies
 *       only the others;
 *   <li>the source's WAL insert position is read after the last chunk: a transaction whose commit record comes
 *       later was invisible to every chunk;
 *   <li>keys, indexes and constraints are built (a table's indexes as soon as its last chunk is copied, while the
 *       workers copy the others), then the position recorded: the slot's start, and that WAL
 *       position as the point from which apply is exact again.
 * </ol>
 *
 * The changes streamed from the slot's start to that point are then replayed idempotently ({@link
 * io.pgferry.core.sink.ChangeSink#idempotent}): a chunk may have read a row before, between or after them, and the
 * rules bring it to the source's state either way.
 */
public final class ChunkedCopy implements InitialCopy {
    private static final Logger log = LoggerFactory.getLogger(ChunkedCopy.class);
    /** What to do once the copy has failed for good. */
    private static final String GOES_ON = "start the sync again: the copy goes on with the chunks not yet copied";

    private final SyncConfig config;
    private final List<SourceTable> tables;
    private final Map<TableName, TargetTable> targets;
    private final Map<TableName, Boolean> binary;
    private final Set<TableName> created;
    private final Set<TableName> builtAtCreation;
    private final SyncCatalog catalog;
    private final CopyChunks chunks;
    private final Supplier<String> fingerprint;
    /** Where the chunks are read: the source, or a hot standby of it ({@link CopySource}). */
    private final Supplier<Connection> source;

    private final Supplier<Connection> primary;
    private final Supplier<Connection> target;
    private final Consumer<CopyProgress> onStart;

    private final Masks masks;

    public ChunkedCopy(
            SyncConfig config,
            List<SourceTable> tables,
            TargetSchema.Plan plan,
            Set<TableName> created,
            SyncCatalog catalog,
            CopyChunks chunks,
            Supplier<String> fingerprint,
            Supplier<Connection> source,
            Supplier<Connection> primary,
            Supplier<Connection> target,
            Consumer<CopyProgress> onStart,
            Masks masks) {
        this.masks = masks;
        this.config = config;
        this.tables = tables;
        this.targets = plan.targets();
        this.binary = plan.binaryCopy();
        this.created = created;
        this.builtAtCreation = plan.builtAtCreation();
        this.catalog = catalog;
        this.chunks = chunks;
        this.fingerprint = fingerprint;
        this.source = source;
        this.primary = primary;
        this.target = target;
        this.onStart = onStart;
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

    /**
     * Copies what is not copied yet, builds what comes after the data, and records {@code start} (where the slot
     * starts streaming) as the position.
     */
    void run(Lsn start) throws Exception {
        long started = System.nanoTime();
        try (Connection states = target.get();
                Connection planning = source.get();
                Connection origin = primary.get()) {
            if (config.copySource() != null) {
                CopySource.awaitReplay(planning, start, config.maxRetryTime(), describe(config.copySource()));
            }
            ChunkPlan.Resumed plan = ChunkPlan.resume(config, tables, chunks, states, planning);
            List<KeyRange> ranges = plan.all();
            CopyProgress progress = plan.progress();
            Map<TableName, PostData> post = new HashMap<>();
            // A table built at creation has its per-row post data; one a run before a crash built has it too, which
            // the build skips.
            PostData.of(tables, targets, created::contains).forEach((t, p) -> {
                if (!builtAtCreation.contains(t)) {
                    post.put(t, p.perRow());
                }
            });
            PostDataTasks<KeyRange> postTasks = new PostDataTasks<>(post);
            LinkedBlockingDeque<WorkerTask<KeyRange>> queue = new LinkedBlockingDeque<>();
            plan.left().forEach(r -> queue.add(new WorkerTask.Rows<>(r)));
            boolean resumed = plan.left().size() < ranges.size();
            int total = queue.size();
            for (SourceTable t : tables) {
                total += postTasks.count(t);
                if (progress.table(t.name()).done()) {
                    postTasks.rowsDone(t).forEach(queue::addFirst);
                }
            }
            onStart.accept(progress);
            // One commit for all: a commit each waited for the disk thousands of times in a schema of that many.
            states.setAutoCommit(false);
            for (SourceTable t : tables) {
                setState(states, t, TableState.COPYING, progress);
            }
            states.commit();
            states.setAutoCommit(true);
            CopyRetry retry = new CopyRetry(config.maxRetryTime(), GOES_ON);
            AtomicBoolean failed = new AtomicBoolean();
            try (RecordSession records =
                    new RecordSession(target, RecordSession.WITHOUT_FLUSH_WAITS, retry, failed::get)) {
                new CopyWorkers<>(
                                new Chunks(records, progress),
                                retry,
                                progress,
                                postTasks,
                                queue,
                                total,
                                resumed,
                                failed)
                        .run(config.workers());
                Lsn exactFrom = insertPosition(origin);
                log.info(
                        "copied {} rows ({} MB) of {} tables in {} chunks and built their indexes in {} s; changes up"
                                + " to {} are replayed idempotently",
                        progress.rows(),
                        progress.bytes() >> 20,
                        tables.size(),
                        ranges.size(),
                        (System.nanoTime() - started) / 1_000_000_000L,
                        exactFrom);
                records.writeInTransaction("record the copy's end", c -> {
                    RecordSession.flushed(c);
                    for (SourceTable t : tables) {
                        setState(c, t, TableState.CATCHING_UP, progress);
                    }
                    catalog.savePosition(c, fingerprint.get(), start, null);
                    catalog.setExactFrom(c, exactFrom);
                });
            }
        } catch (SQLException e) {
            throw JdbcErrors.notRetried(e, "the chunked copy failed", GOES_ON);
        }
        log.info("initial copy done in {} s", (System.nanoTime() - started) / 1_000_000_000L);
    }

    /**
     * The chunked copy's side of its workers: each chunk is read in a statement of its own and committed at the
     * target with its done mark ({@link CopyChunks}).
     */
    private final class Chunks extends CopyWorkers.Mode<KeyRange> {
        Chunks(RecordSession records, CopyProgress progress) {
            super(target, targets, binary, masks, records, (c, t) -> setState(c, t, TableState.COPYING, progress));
        }

        @Override
        Connection openSource() throws SQLException {
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

        @Override
        OptionalLong marked(Connection dst, KeyRange r) throws SQLException {
            return chunks.rowsIfDone(dst, r.chunk());
        }

        @Override
        void mark(Connection dst, KeyRange r, long rows) throws SQLException {
            chunks.markDone(dst, r.chunk(), rows);
        }
    }

    /**
     * What may not hold before the replay is over: unique indexes and constraints, then foreign keys. Run once the
     * target has passed the position from which apply is exact; skips what a run stopped meanwhile already built.
     */
    public static void buildAfterReplay(
            SyncConfig config,
            List<SourceTable> tables,
            Map<TableName, TargetTable> targets,
            Set<TableName> created,
            Supplier<Connection> target)
            throws Exception {
        List<PostData> rest = new ArrayList<>();
        for (PostData p : PostData.of(tables, targets, created::contains).values()) {
            rest.add(new PostData(p.uniqueIndexes(), p.uniqueConstraints(), p.foreignKeys(), List.of(), List.of()));
        }
        build(config, target, rest, true);
        log.info("built the unique constraints and foreign keys deferred until the replay was over");
    }

    /**
     * Indexes in parallel, then each table's attach list, then foreign keys; on as many sessions as there is work for,
     * up to the workers (none when there is nothing to build).
     */
    private static void build(SyncConfig config, Supplier<Connection> target, List<PostData> post, boolean tolerant)
            throws Exception {
        ConcurrentLinkedQueue<List<String>> indexes = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<List<String>> attach = new ConcurrentLinkedQueue<>();
        List<String> fks = new ArrayList<>();
        for (PostData p : post) {
            p.indexes().forEach(ddl -> indexes.add(List.of(ddl)));
            if (!p.attach().isEmpty()) {
                attach.add(p.attach());
            }
            fks.addAll(p.foreignKeys());
        }
        for (ConcurrentLinkedQueue<List<String>> step : List.of(indexes, attach)) {
            if (!step.isEmpty()) {
                SnapshotCopy.runAll(Math.min(config.workers(), step.size()), worker -> execute(target, step, tolerant));
            }
        }
        if (!fks.isEmpty()) {
            execute(target, new ConcurrentLinkedQueue<>(List.of(fks)), tolerant);
        }
    }

    private static void execute(
            Supplier<Connection> target, ConcurrentLinkedQueue<List<String>> queue, boolean tolerant)
            throws SQLException {
        try (Connection c = target.get();
                Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            PostData.prepareIndexBuilds(st);
            List<String> batch;
            while ((batch = queue.poll()) != null) {
                for (String ddl : batch) {
                    try {
                        st.execute(ddl);
                    } catch (SQLException e) {
                        if (!tolerant || !CopyWorkers.ALREADY_ATTACHED.contains(e.getSQLState())) {
                            throw e;
                        }
                        log.debug("already built before the restart: {}", e.getSQLState());
                    }
                }
            }
        }
    }

    /**
     * The source's WAL insert position now (see the PostgreSQL docs, "System Administration Functions"): a commit
     * record written later belongs to a transaction that no chunk, all read before, could see.
     */
    static Lsn insertPosition(Connection source) throws SQLException {
        try (Statement st = source.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    public static String describe(Dsn dsn) {
        return dsn.endpoints() + "/" + dsn.dbname();
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
                created.contains(t.name()),
                null);
    }
}
