package io.pgferry.engine.schema;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Creates batches of tables on several target sessions at once, each batch in a transaction of its own. The creation
 * is the target's work (catalog rows, files, index builds on the empty tables), one core per session; pgferry only
 * waits for it, so a schema of thousands of tables is made about as many times faster as the target has cores to
 * spare.
 *
 * <p>Two sessions may clash on a name the server picks itself: a table {@code _t} takes the name of table {@code
 * t}'s array type, which one session renames out of the way only when it sees the other's table committed (a unique
 * violation otherwise). A batch that fails so, or in a deadlock, is handed back to be made alone afterwards.
 */
final class ParallelBatches {
    /**
     * Lock table entries a session may take: a batch of {@value TableCreation#TABLES_PER_TRANSACTION} tables holds up
     * to some 400 (each table, its TOAST table and index, its keys, indexes and sequences) until it commits. A quarter
     * of the default table (64 times 100 sessions) per session leaves room for every other session of the target.
     */
    private static final int LOCKS_PER_SESSION = 1600;

    /** States that a concurrent batch can cause and that a batch made alone does not meet. */
    private static final List<String> CLASHES = List.of("23505", "40P01");

    /** A batch's work in the transaction of {@code st}. */
    interface Batch {
        void create(Statement st, List<SourceTable> batch) throws SQLException;
    }

    private ParallelBatches() {}

    /**
     * How many sessions to create {@code batches} batches on: at most {@code workers}, and as many as the target's
     * lock table holds ({@code max_locks_per_transaction} times its sessions; PostgreSQL docs, "Lock Management").
     */
    static int sessions(Connection target, int workers, int batches) throws SQLException {
        if (workers <= 1 || batches <= 1) {
            return 1;
        }
        try (Statement st = target.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_catalog.current_setting('max_locks_per_transaction')::int"
                        + " * (pg_catalog.current_setting('max_connections')::int"
                        + " + pg_catalog.current_setting('max_prepared_transactions')::int)")) {
            rs.next();
            return Math.max(1, Math.min(Math.min(workers, batches), rs.getInt(1) / LOCKS_PER_SESSION));
        }
    }

    /**
     * Sessions to {@code dsn} with the settings of {@code main} the creation depends on: search_path pg_catalog alone,
     * and its lc_monetary, in which a money default's literal reads as the source prints it.
     */
    static Supplier<Connection> sessionsLike(Connection main, Dsn dsn) throws SQLException {
        String lcMonetary;
        try (Statement st = main.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_catalog.current_setting('lc_monetary')")) {
            rs.next();
            lcMonetary = rs.getString(1);
        }
        Map<String, String> settings = Map.of("search_path", "pg_catalog", "lc_monetary", lcMonetary);
        return () -> Connections.open(dsn, settings);
    }

    /**
     * Runs {@code work} on each of {@code batches}, on {@code sessions} sessions from {@code open}, adding each batch
     * to {@code made} once committed. Returns the batches a concurrent one made fail, to be made alone. After a
     * failure no session starts another batch; it is thrown once every session has stopped.
     */
    static List<List<SourceTable>> run(
            Supplier<Connection> open,
            int sessions,
            List<List<SourceTable>> batches,
            Batch work,
            List<SourceTable> made)
            throws SQLException {
        Queue<List<SourceTable>> queue = new ConcurrentLinkedQueue<>(batches);
        List<List<SourceTable>> alone = Collections.synchronizedList(new ArrayList<>());
        // In the order they happened: the first is the cause.
        Queue<Exception> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            Thread t = new Thread(() -> createAll(open, queue, work, made, alone, failures), "pgferry-create-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                queue.clear();
                failures.add(PgFerryException.fatal("interrupted while creating the target's tables", "run it again"));
            }
        }
        Exception first = failures.peek();
        if (first instanceof SQLException se) {
            throw se;
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
        return List.copyOf(alone);
    }

    private static void createAll(
            Supplier<Connection> open,
            Queue<List<SourceTable>> queue,
            Batch work,
            List<SourceTable> made,
            List<List<SourceTable>> alone,
            Queue<Exception> failures) {
        try (Connection c = open.get();
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            List<SourceTable> batch;
            while (failures.isEmpty() && (batch = queue.poll()) != null) {
                try {
                    work.create(st, batch);
                    c.commit();
                    made.addAll(batch);
                } catch (SQLException e) {
                    c.rollback();
                    if (!CLASHES.contains(e.getSQLState())) {
                        throw e;
                    }
                    alone.add(batch);
                } catch (RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
        } catch (SQLException | RuntimeException e) {
            failures.add(e);
            queue.clear();
        }
    }
}
