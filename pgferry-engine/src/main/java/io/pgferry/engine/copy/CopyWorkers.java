package io.pgferry.engine.copy;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.TableFailure;
import io.pgferry.engine.schema.PostData;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.PostgresDialect;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers of a copy into PostgreSQL, in either mode: each opens a source and a target session of its own and
 * takes tasks from one queue until none remain or another worker failed. When a table's last range is in, its index
 * builds go to the front of the queue, and after its last index its attach list ({@link PostDataTasks}), so that they
 * run while the other tables are still copied.
 *
 * <p>A task that fails for a reason that passes is run again on new sessions ({@link CopyRetry}), which is exact: a
 * range commits with its mark, so one whose commit went unanswered is copied again only if its mark is missing
 * ({@link Mode#copy}); a statement after the data run again accepts finding its object built ({@link
 * #ALREADY_BUILT}). A worker's two sessions are opened again together: a source session whose COPY was cancelled has
 * lost its transaction, and with it the snapshot it read.
 *
 * @param <R> the copy's kind of range
 */
final class CopyWorkers<R extends CopyWorkers.RowRange> {
    private static final Logger log = LoggerFactory.getLogger(CopyWorkers.class);

    /** What a post-data statement run again reports: the index, constraint or key is there already. */
    static final Set<String> ALREADY_BUILT = Set.of("42P07", "42710", "42P16");

    /**
     * What an attach list run again reports besides: {@code ADD CONSTRAINT ... USING INDEX} on an index that is the
     * constraint's already (object_not_in_prerequisite_state; the index is built by this copy, not concurrently, so
     * it is never invalid, the other cause).
     */
    static final Set<String> ALREADY_ATTACHED = Set.of("42P07", "42710", "42P16", "55000");

    /** A part of one relation's rows, as a copy mode plans them. */
    interface RowRange {
        SourceTable table();

        SourceTable.Leaf leaf();

        /** The WHERE clause that selects the range, or empty for the whole relation. */
        String predicate();
    }

    /** Records a table's state in the sync's catalog, on the copy's record session. */
    @FunctionalInterface
    interface StateRecorder {
        void record(Connection c, SourceTable table) throws SQLException;
    }

    /**
     * What the copy modes do differently: how a worker's source session is made ready, and how a range is marked
     * committed. A range's rows and its mark commit in one target transaction.
     */
    abstract static class Mode<R extends RowRange> {
        private final Supplier<Connection> target;
        private final Map<TableName, TargetTable> targets;
        private final Map<TableName, Boolean> binary;
        private final Masks masks;
        private final RecordSession records;
        private final StateRecorder rowsDone;
        private final AtomicBoolean roleRefused = new AtomicBoolean();

        Mode(
                Supplier<Connection> target,
                Map<TableName, TargetTable> targets,
                Map<TableName, Boolean> binary,
                Masks masks,
                RecordSession records,
                StateRecorder rowsDone) {
            this.target = target;
            this.targets = targets;
            this.binary = binary;
            this.masks = masks;
            this.records = records;
            this.rowsDone = rowsDone;
        }

        /** A worker's source session, ready to read ranges. */
        abstract Connection openSource() throws SQLException;

        /** The rows {@code range} was marked committed with, in {@code dst}'s transaction; empty if it was not. */
        abstract OptionalLong marked(Connection dst, R range) throws SQLException;

        /** Marks {@code range} committed with its rows, in {@code dst}'s transaction (the one that wrote them). */
        abstract void mark(Connection dst, R range, long rows) throws SQLException;

        /**
         * Ends the transaction of a source session that has read {@link SnapshotCopy#RANGES_PER_TRANSACTION} ranges
         * and begins one that reads the same data, releasing the locks of the relations read; nothing where each
         * range is read in a transaction of its own.
         */
        void renewSource(Connection src) throws SQLException {}

        /** A worker's target session, its settings made, in manual commit. */
        Connection openTarget() throws SQLException {
            Connection dst = target.get();
            try (Statement st = dst.createStatement()) {
                dst.setAutoCommit(true);
                // A range and its mark commit together, so a crash loses both; the copy's end is recorded by a
                // synchronous commit that flushes everything before it: no range needs to wait for its own flush.
                st.execute("SET synchronous_commit = off");
                replicaRole(st);
                PostData.prepareIndexBuilds(st);
                dst.setAutoCommit(false);
                return dst;
            } catch (SQLException e) {
                dst.close();
                throw e;
            }
        }

        /**
         * Has no user trigger or foreign-key check fire for the copied rows, as in the apply session and in
         * PostgreSQL's own table synchronization (docs, "Logical Replication", Triggers). Regression (issue 5): an
         * existing target table whose foreign key references another synced table failed the copy when its rows came
         * in before the other's. A role that may not set it copies with them firing, which is said once.
         */
        private void replicaRole(Statement st) throws SQLException {
            if (!PostgresDialect.setReplicaRole(st) && roleRefused.compareAndSet(false, true)) {
                log.warn("the target role may not set session_replication_role, so the triggers and foreign-key"
                        + " checks of existing target tables fire during the copy, and a foreign key to another"
                        + " synced table may fail while that table is copied; GRANT SET ON PARAMETER"
                        + " session_replication_role TO the role (PostgreSQL 15+) or copy as a superuser");
            }
        }

        /**
         * Copies {@code range} and commits it with its mark, telling {@code bytes} the bytes sent; when {@code again}
         * (after a failure of its own), first looks for the mark and, if it is there, returns the rows it recorded.
         */
        final long copy(Connection src, Connection dst, R range, boolean again, LongConsumer bytes)
                throws SQLException {
            if (again) {
                OptionalLong done = marked(dst, range);
                if (done.isPresent()) {
                    dst.commit();
                    return done.getAsLong();
                }
            }
            TableName name = range.table().name();
            long rows = CopyPipe.pipe(
                    src,
                    dst,
                    range.table(),
                    range.leaf().qualified() + range.predicate(),
                    targets.get(name),
                    binary.getOrDefault(name, false),
                    masks.of(range.table()),
                    bytes);
            mark(dst, range, rows);
            dst.commit();
            return rows;
        }

        /** Records that all of {@code table}'s rows are in; called once per table, after its last range. */
        final void rowsDone(SourceTable table) throws SQLException, InterruptedException {
            records.write("record the state of " + table.name(), c -> rowsDone.record(c, table));
        }
    }

    private final Mode<R> mode;
    private final CopyRetry retry;
    private final CopyProgress progress;
    private final PostDataTasks<R> postTasks;
    private final LinkedBlockingDeque<WorkerTask<R>> queue;
    private final AtomicInteger remaining;
    /** After a crash: post-data statements may have run before this copy. */
    private final boolean resumed;

    /** Set when a worker failed, which ends the others after their current task (and any retry's wait). */
    private final AtomicBoolean failed;

    /** Set by {@link #run} before any worker starts. */
    private IndexParallelism parallelism;

    CopyWorkers(
            Mode<R> mode,
            CopyRetry retry,
            CopyProgress progress,
            PostDataTasks<R> postTasks,
            LinkedBlockingDeque<WorkerTask<R>> queue,
            int tasks,
            boolean resumed,
            AtomicBoolean failed) {
        this.mode = mode;
        this.retry = retry;
        this.progress = progress;
        this.postTasks = postTasks;
        this.queue = queue;
        this.remaining = new AtomicInteger(tasks);
        this.resumed = resumed;
        this.failed = failed;
    }

    /** Runs {@code n} workers until every task is done; the first failure is thrown once every worker has ended. */
    void run(int n) throws Exception {
        parallelism = new IndexParallelism(n);
        SnapshotCopy.runAll(n, worker -> {
            try {
                work();
            } catch (SQLException | RuntimeException e) {
                failed.set(true);
                queue.clear(); // the other workers stop after their current task
                throw e;
            }
        });
    }

    private void work() throws SQLException, InterruptedException {
        try (Sessions s = new Sessions()) {
            while (remaining.get() > 0 && !failed.get()) {
                WorkerTask<R> task = queue.pollFirst(100, TimeUnit.MILLISECONDS);
                if (task == null) {
                    continue;
                }
                parallelism.started();
                try {
                    run(s, task);
                } finally {
                    parallelism.ended();
                }
                remaining.decrementAndGet();
            }
        }
    }

    private void run(Sessions s, WorkerTask<R> task) throws SQLException, InterruptedException {
        if (task instanceof WorkerTask.Rows<R> c) {
            copy(s, c.range());
        } else if (task instanceof WorkerTask.Index<R> i) {
            attempt(s, i.table(), "could not build an index of table", again -> {
                try (Statement st = s.target().createStatement()) {
                    parallelism.apply(st);
                }
                execute(s.target(), List.of(i.ddl()), resumed || again ? ALREADY_BUILT : Set.of());
                return null;
            });
            postTasks.indexBuilt(i.table()).forEach(queue::addFirst);
        } else if (task instanceof WorkerTask.Attach<R> a) {
            attempt(s, a.table(), "could not add the key or the constraints of table", again -> {
                execute(s.target(), a.ddl(), resumed || again ? ALREADY_ATTACHED : Set.of());
                return null;
            });
        }
    }

    private void copy(Sessions s, R range) throws SQLException, InterruptedException {
        SourceTable t = range.table();
        CopyProgress.Table counters = progress.table(t.name());
        long[] sent = {0};
        long rows = attempt(s, t, "could not copy table", again -> {
            // A failed attempt's bytes are not counted twice.
            counters.addBytes(-sent[0]);
            sent[0] = 0;
            return mode.copy(s.source(), s.target(), range, again, n -> {
                sent[0] += n;
                counters.addBytes(n);
            });
        });
        s.rangeRead();
        if (counters.finishRange(rows)) {
            mode.rowsDone(t);
            log.info("copied {} ({} rows)", t.name(), counters.rows());
            postTasks.rowsDone(t).forEach(queue::addFirst);
        }
    }

    /** Runs one task, again on new sessions after a failure that passes; its final failure is the table's. */
    private <T> T attempt(Sessions s, SourceTable t, String doing, CopyRetry.Step<T> step)
            throws SQLException, InterruptedException {
        try {
            return retry.run(doing + " " + t.name(), failed::get, again -> {
                try {
                    return step.run(again);
                } catch (SQLException | RuntimeException e) {
                    s.close();
                    throw e;
                }
            });
        } catch (SQLException e) {
            throw e instanceof SourceFailure ? t.sourceFailure(doing, e) : t.failure(doing, e);
        } catch (PgFerryException e) {
            throw TableFailure.of(t.name().schema(), t.name().name(), e);
        }
    }

    /**
     * Runs {@code ddl} on {@code dst}, a transaction each; a statement that fails with a state in {@code built} (its
     * object was built before: by the run before a crash, or by this one before a lost connection) is skipped.
     */
    static void execute(Connection dst, List<String> ddl, Set<String> built) throws SQLException {
        for (String statement : ddl) {
            try (Statement st = dst.createStatement()) {
                st.execute(statement);
                dst.commit();
            } catch (SQLException e) {
                if (!built.contains(e.getSQLState())) {
                    throw e;
                }
                dst.rollback();
                log.debug("already built: {}", e.getSQLState());
            }
        }
    }

    /** A worker's source and target sessions, opened when first needed and closed together. */
    private final class Sessions implements AutoCloseable {
        private Connection source;
        private Connection target;
        private final SnapshotRenewal renewal = new SnapshotRenewal();

        /**
         * Counts a range read on the source session, and renews its transaction every so many; if that fails, both
         * sessions are closed and the next task opens them again (and reports a snapshot that is gone).
         */
        void rangeRead() {
            if (!renewal.rangeRead(source, mode::renewSource)) {
                close();
            }
        }

        Connection source() throws SQLException {
            if (source == null) {
                try {
                    source = mode.openSource();
                } catch (SQLException e) {
                    throw SourceFailure.of(e);
                }
            }
            return source;
        }

        Connection target() throws SQLException {
            if (target == null) {
                target = mode.openTarget();
            }
            return target;
        }

        @Override
        public void close() {
            renewal.reset();
            source = closeQuietly(source);
            target = closeQuietly(target);
        }
    }

    private static Connection closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("closing a copy session failed (SQLSTATE {})", e.getSQLState());
            }
        }
        return null;
    }
}
