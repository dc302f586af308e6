package io.pgferry.engine.copy;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.schema.PgSql;
import io.pgferry.engine.schema.PostData;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.engine.schema.TargetSchema;
import io.pgferry.jdbc.CopyRanges;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.postgres.InitialCopy;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial copy of {@link io.pgferry.engine.config.CopyMode#SNAPSHOT}: N workers each import the slot's exported
 * snapshot on a source connection of their own and take block ranges from one queue ({@link RangePlanner}), piping
 * {@code COPY (SELECT ... WHERE ctid ...) TO STDOUT} into {@code COPY ... FROM STDIN} at the target without decoding
 * rows: in binary format when every column is a built-in type on both sides, in text otherwise. A table's indexes (its
 * primary key's among them) are built by the same workers as soon as its last range is in, while other tables are still
 * copied, and after its last index its key and constraints are attached (see {@link PostDataTasks}); then foreign keys
 * are added and the position recorded at the snapshot's consistent point.
 *
 * <p>Each range is committed at the target on its own, with its mark ({@link CopyRanges}): a worker that loses a
 * session retries its task on new ones ({@link CopyWorkers}), and copies again only a range whose mark is missing. A
 * copy that fails for good or is killed is not resumed but started again (the engine empties the tables first), since
 * the snapshot it used is gone.
 */
public final class SnapshotCopy implements InitialCopy {
    private static final Logger log = LoggerFactory.getLogger(SnapshotCopy.class);
    /** What to do once the copy has failed: its snapshot is gone with it. */
    private static final String STARTS_OVER = "start the sync again: the copy starts over";
    /** invalid_parameter_value: SET TRANSACTION SNAPSHOT's answer once the exporting transaction has ended. */
    private static final String INVALID_SNAPSHOT = "22023";

    private final SyncConfig config;
    private final List<SourceTable> tables;
    private final TargetSchema.Plan plan;
    private final SyncCatalog catalog;
    private final Supplier<Connection> source;
    private final Supplier<Connection> target;
    private final Consumer<CopyProgress> onStart;

    private final Masks masks;
    /** What is built after each table's rows are in. */
    private final Map<TableName, PostData> post;
    /** Records the copy's end, the tables' states aside. */
    private final Finish finish;

    /** Records a finished copy at the target, on the connection that recorded the tables' states. */
    @FunctionalInterface
    public interface Finish {
        void finished(Connection states, Lsn consistentPoint) throws SQLException;
    }

    public SnapshotCopy(
            SyncConfig config,
            List<SourceTable> tables,
            TargetSchema.Plan plan,
            SyncCatalog catalog,
            Supplier<String> fingerprint,
            Supplier<Connection> source,
            Supplier<Connection> target,
            Consumer<CopyProgress> onStart,
            Masks masks) {
        this(
                config,
                tables,
                plan,
                catalog,
                source,
                target,
                onStart,
                masks,
                PostData.of(tables, plan),
                (states, point) -> catalog.savePosition(states, fingerprint.get(), point, null));
    }

    private SnapshotCopy(
            SyncConfig config,
            List<SourceTable> tables,
            TargetSchema.Plan plan,
            SyncCatalog catalog,
            Supplier<Connection> source,
            Supplier<Connection> target,
            Consumer<CopyProgress> onStart,
            Masks masks,
            Map<TableName, PostData> post,
            Finish finish) {
        this.masks = masks;
        this.config = config;
        this.tables = tables;
        this.plan = plan;
        this.catalog = catalog;
        this.source = source;
        this.target = target;
        this.onStart = onStart;
        this.post = post;
        this.finish = finish;
    }

    /**
     * A copy of {@code adding}, tables added to a sync that streams already, from a snapshot of their own: the sync's
     * position stays, and {@code finish} records where their changes apply from. Their foreign keys may reference
     * the sync's other tables ({@code all}), whose rows the target holds as of an earlier position than the snapshot's,
     * so they are added {@code NOT VALID} (checked for rows written from then on; {@code ALTER TABLE ... VALIDATE
     * CONSTRAINT} checks the rest once the sync has caught up).
     */
    public static SnapshotCopy ofAddedTables(
            SyncConfig config,
            List<SourceTable> adding,
            List<SourceTable> all,
            TargetSchema.Plan plan,
            SyncCatalog catalog,
            Supplier<Connection> source,
            Supplier<Connection> target,
            Consumer<CopyProgress> onStart,
            Masks masks,
            Finish finish) {
        Set<TableName> added = new HashSet<>();
        adding.forEach(t -> added.add(t.name()));
        Map<TableName, PostData> post = new LinkedHashMap<>();
        PostData.of(all, plan.targets(), n -> added.contains(n) && plan.created(n))
                .forEach((name, p) -> post.put(name, p.foreignKeysNotValid()));
        return new SnapshotCopy(config, adding, plan, catalog, source, target, onStart, masks, post, finish);
    }

    @Override
    public void copy(String snapshotName, Lsn consistentPoint, List<TableName> published) throws Exception {
        try {
            copyAll(snapshotName, consistentPoint);
        } catch (SQLException e) {
            throw JdbcErrors.notRetried(e, "the initial copy failed", STARTS_OVER);
        }
    }

    private void copyAll(String snapshotName, Lsn consistentPoint) throws Exception {
        log.warn("the initial copy holds a snapshot open on the source: until it ends, vacuum there cannot remove rows"
                + " deleted or updated meanwhile");
        List<CopyRange> ranges = RangePlanner.plan(tables, config.workers());
        CopyProgress progress = new CopyProgress(tables, ranges);
        onStart.accept(progress);
        long started = System.nanoTime();
        PostDataTasks<CopyRange> postTasks = new PostDataTasks<>(post);
        int total = ranges.size();
        for (SourceTable t : tables) {
            total += postTasks.count(t);
        }
        LinkedBlockingDeque<WorkerTask<CopyRange>> queue = new LinkedBlockingDeque<>();
        ranges.forEach(r -> queue.add(new WorkerTask.Rows<>(r)));
        CopyRetry retry = new CopyRetry(config.maxRetryTime(), STARTS_OVER);
        AtomicBoolean failed = new AtomicBoolean();
        CopyRanges marks = catalog.copyRanges();
        try (RecordSession records = new RecordSession(target, RecordSession.WITHOUT_FLUSH_WAITS, retry, failed::get)) {
            records.writeInTransaction("record the tables' states", c -> {
                marks.clear(c);
                for (SourceTable t : tables) {
                    setState(c, t, TableState.COPYING, progress);
                }
            });
            Ranges mode = new Ranges(snapshotName, marks, records, progress);
            new CopyWorkers<>(mode, retry, progress, postTasks, queue, total, false, failed).run(config.workers());
            log.info(
                    "copied {} rows ({} MB) of {} tables and built their indexes in {} s",
                    progress.rows(),
                    progress.bytes() >> 20,
                    tables.size(),
                    (System.nanoTime() - started) / 1_000_000_000L);
            List<String> fks = new ArrayList<>();
            for (PostData p : post.values()) {
                fks.addAll(p.foreignKeys());
            }
            if (!fks.isEmpty()) {
                retry.run("add the foreign keys", failed::get, again -> {
                    addForeignKeys(fks, again);
                    return null;
                });
            }
            records.writeInTransaction("record the copy's end", c -> {
                RecordSession.flushed(c);
                for (SourceTable t : tables) {
                    setState(c, t, TableState.CATCHING_UP, progress);
                }
                finish.finished(c, consistentPoint);
                marks.clear(c);
            });
        }
        log.info("initial copy done in {} s", (System.nanoTime() - started) / 1_000_000_000L);
    }

    /**
     * The snapshot copy's side of its workers: each imports the slot's exported snapshot on a source session of its
     * own, and commits each range with its mark ({@link CopyRanges}). A worker whose session was lost imports the
     * snapshot again, which holds while the session that exported it (the stream's) lives.
     */
    private final class Ranges extends CopyWorkers.Mode<CopyRange> {
        private final String snapshotName;
        private final CopyRanges marks;

        Ranges(String snapshotName, CopyRanges marks, RecordSession records, CopyProgress progress) {
            super(
                    target,
                    plan.targets(),
                    plan.binaryCopy(),
                    masks,
                    records,
                    (c, t) -> setState(c, t, TableState.COPYING, progress));
            this.snapshotName = snapshotName;
            this.marks = marks;
        }

        @Override
        Connection openSource() throws SQLException {
            return openSnapshotSession(source, snapshotName, STARTS_OVER);
        }

        @Override
        void renewSource(Connection src) throws SQLException {
            renewSnapshot(src, snapshotName, STARTS_OVER);
        }

        @Override
        OptionalLong marked(Connection dst, CopyRange r) throws SQLException {
            return marks.rowsIfDone(dst, r.leaf().qualified(), r.fromBlock());
        }

        @Override
        void mark(Connection dst, CopyRange r, long rows) throws SQLException {
            marks.markDone(dst, r.leaf().qualified(), r.fromBlock(), rows);
        }
    }

    /**
     * A new source session in the snapshot ({@link #importSnapshot}); a snapshot that is gone is a fatal error, whose
     * fix is {@code then}.
     */
    static Connection openSnapshotSession(Supplier<Connection> source, String snapshotName, String then)
            throws SQLException {
        Connection src = source.get();
        try {
            importSnapshot(src, snapshotName);
            return src;
        } catch (SQLException e) {
            src.close();
            if (INVALID_SNAPSHOT.equals(e.getSQLState())) {
                throw PgFerryException.fatal(
                        "the initial copy's snapshot is gone: the source session that exported it has ended", then, e);
            }
            throw e;
        }
    }

    /**
     * Ends {@code src}'s transaction, by a commit that keeps the session's settings, and begins another in the same
     * exported snapshot: it sees the same rows, and the locks its reads took (an ACCESS SHARE lock on each relation
     * read, held until its transaction ends) are released. A worker that read some thousands of tables in one
     * transaction filled the source's lock table ("out of shared memory"). The snapshot can be imported again as long
     * as the session that exported it is in its transaction (PostgreSQL docs, "Snapshot Synchronization Functions"),
     * which it is until the copy ends. A snapshot that is gone is a fatal error, whose fix is {@code then}.
     */
    static void renewSnapshot(Connection src, String snapshotName, String then) throws SQLException {
        src.commit();
        try {
            importSnapshot(src, snapshotName);
        } catch (SQLException e) {
            if (INVALID_SNAPSHOT.equals(e.getSQLState())) {
                throw PgFerryException.fatal(
                        "the initial copy's snapshot is gone: the source session that exported it has ended", then, e);
            }
            throw e;
        }
    }

    /** Ranges a worker reads in one transaction of its source session before {@link #renewSnapshot}. */
    static final int RANGES_PER_TRANSACTION = 10;

    /**
     * Starts on {@code src} the read-only repeatable-read transaction that sees the slot's exported snapshot
     * (PostgreSQL docs, "SET TRANSACTION"): every range read on it sees the source as at the slot's consistent point.
     */
    static void importSnapshot(Connection src, String snapshotName) throws SQLException {
        src.setAutoCommit(false);
        src.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement st = src.createStatement()) {
            st.execute("SET TRANSACTION READ ONLY");
            st.execute("SET TRANSACTION SNAPSHOT " + PgSql.literal(snapshotName));
        }
    }

    private void setState(Connection c, SourceTable t, TableState state, CopyProgress progress) throws SQLException {
        CopyProgress.Table p = progress.table(t.name());
        catalog.setState(
                c,
                t.name().toString(),
                plan.targets().get(t.name()),
                state,
                p.rows(),
                p.bytes(),
                plan.created(t.name()),
                null);
    }

    /** Foreign keys, once every table has its key: each validates its rows against the table it references. */
    private void addForeignKeys(List<String> foreignKeys, boolean again) throws SQLException {
        try (Connection c = target.get();
                Statement st = c.createStatement()) {
            PostData.prepareIndexBuilds(st);
            c.setAutoCommit(false);
            CopyWorkers.execute(c, foreignKeys, again ? CopyWorkers.ALREADY_BUILT : Set.of());
        }
    }

    /** A task of one worker; may throw. */
    @FunctionalInterface
    interface Work {
        void run(int worker) throws Exception;
    }

    /**
     * Runs {@code work} on {@code n} threads and waits for all; the first failure is thrown once every worker ended.
     */
    static void runAll(int n, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "pgferry-copy");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            // In the order they happened: the first is the cause, and the others' may only say that the copy stopped.
            Queue<Exception> failures = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < n; i++) {
                int worker = i;
                futures.add(pool.submit(() -> {
                    try {
                        work.run(worker);
                    } catch (Exception e) {
                        failures.add(e);
                        throw e;
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof Exception)) {
                        failures.add(new RuntimeException(e.getCause()));
                    }
                }
            }
            Exception first = failures.peek();
            if (first instanceof SQLException se) {
                throw se;
            }
            if (first instanceof PgFerryException pe) {
                throw pe;
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
