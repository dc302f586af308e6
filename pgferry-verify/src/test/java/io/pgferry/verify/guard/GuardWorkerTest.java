package io.pgferry.verify.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The continuous worker on a real server: several workers sharing a database under concurrent writes, a worker whose
 * connection is killed, and a catalog lost as in a crash. Each ends with the catalog equal to a fresh sweep. Issue #6,
 * defect 7 (the seed's worker did one bucket a minute and did not come back after a restart).
 */
@PgTest
@Tag("verify")
class GuardWorkerTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void twoWorkersShareADatabaseUnderConcurrentWrites(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "INSERT INTO t SELECT i, 0 FROM generate_series(1, 20000) i");
        Guarded.install(db);
        Guarded.register(db, "t", 100L, null);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> write(db, stop, writerFailure));
        try (GuardWorker a = new GuardWorker(List.of(Guarded.dsn(db)), Duration.ofMillis(20));
                GuardWorker b = new GuardWorker(List.of(Guarded.dsn(db)), Duration.ofMillis(20))) {
            a.start();
            b.start();
            writer.start();
            awaitSwept(db);
            awaitRecomputed(a, b, 300);
            stop.set(true);
            writer.join();
            awaitClean(db);
            assertThat(Registrations.liveWorkers(db.connect(), 60)).isEqualTo(2);
        }
        assertThat(writerFailure.get()).isNull();
        TreeMap<Long, String> incremental = Guarded.catalog(db, "t");
        assertThat(Guarded.resweep(db, "t", 100L, null)).isEqualTo(incremental);
    }

    @Test
    void aWorkerWhoseConnectionIsKilledComesBack(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "INSERT INTO t SELECT i, 0 FROM generate_series(1, 3000) i");
        Guarded.install(db);
        Guarded.register(db, "t", 100L, null);
        try (GuardWorker w = new GuardWorker(List.of(Guarded.dsn(db)), Duration.ofMillis(20))) {
            w.start();
            awaitSwept(db);
            db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgferry guard'"
                    + " AND datname = current_database()");
            db.execute("UPDATE t SET v = 1 WHERE id % 10 = 0");
            awaitClean(db);
        }
        TreeMap<Long, String> incremental = Guarded.catalog(db, "t");
        assertThat(Guarded.resweep(db, "t", 100L, null)).isEqualTo(incremental);
    }

    @Test
    void aCatalogLostAsInACrashIsSweptAgain(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "INSERT INTO t SELECT i, 0 FROM generate_series(1, 3000) i");
        Guarded.install(db);
        Guarded.register(db, "t", 100L, null);
        Guarded.drain(db);
        TreeMap<Long, String> before = Guarded.catalog(db, "t");
        // What crash recovery does to UNLOGGED tables: they come back empty.
        db.execute(
                "TRUNCATE syncguard.bucket_catalog, syncguard.dirty_buckets, syncguard.sweep_state, syncguard.worker_state");
        assertThat(Guarded.drain(db).tablesSwept()).isEqualTo(1);
        assertThat(Guarded.catalog(db, "t")).isEqualTo(before);
    }

    @Test
    void anAlteredTableIsSweptAgainAndADroppedOneIsSkipped(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "INSERT INTO t SELECT i, 0 FROM generate_series(1, 300) i",
                "CREATE TABLE gone (id int PRIMARY KEY)");
        Guarded.install(db);
        Guarded.register(db, "t", 100L, null);
        Guarded.register(db, "gone", 100L, null);
        Guarded.drain(db);
        TreeMap<Long, String> before = Guarded.catalog(db, "t");
        db.execute("ALTER TABLE t ADD COLUMN w text DEFAULT 'new'", "DROP TABLE gone");
        assertThat(Guarded.drain(db).tablesSwept()).isEqualTo(1);
        TreeMap<Long, String> after = Guarded.catalog(db, "t");
        assertThat(after.keySet()).isEqualTo(before.keySet());
        assertThat(after).isNotEqualTo(before);
    }

    /**
     * Regression (issue 6): a sweep cancelled by an operator, a deadlock, or a table dropped between the worker's
     * reading of the registrations and its next statement stopped the worker for good; it retries them. A
     * configuration error (missing rights) still stops it.
     */
    @Test
    void errorsALongRunningWorkerOutlivesAreRetriedAndOthersStopIt() {
        for (String state : List.of("57014", "40P01", "40001", "55P03", "42P01", "42703")) {
            PgFerryException e =
                    PgFerryException.fatal("database error " + state, "see the log", new SQLException("x", state));
            assertThat(GuardWorker.passing(e)).as(state).isTrue();
        }
        assertThat(GuardWorker.passing(
                        PgFerryException.fatal("permission denied", "grant", new SQLException("x", "42501"))))
                .isFalse();
        assertThat(GuardWorker.passing(PgFerryException.fatal("no cause", "none")))
                .isFalse();
    }

    /** Registering again waits for the batches and sweeps of the table: it takes their table lock (see BucketRecompute). */
    @Test
    void registeringAgainWaitsForTheTablesWorkers(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 100)");
        Guarded.install(db);
        int id = Guarded.register(db, "t", 10L, null);
        try (Connection holder = db.connect();
                Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("SELECT pg_advisory_xact_lock_shared(" + 0x53475244 + ", " + id + ")");
            try (Connection other = db.connect();
                    Statement o = other.createStatement()) {
                o.execute("SET lock_timeout = '200ms'");
                assertThatThrownBy(() -> o.execute("SELECT syncguard.register_table('public', 't', 20)"))
                        .hasMessageContaining("lock timeout");
            }
            holder.rollback();
        }
        assertThat(Guarded.register(db, "t", 20L, null)).isEqualTo(id);
    }

    @Test
    void aDatabaseWithoutSyncguardIsAClearError(TestDatabase db) {
        assertThatThrownBy(() -> Guarded.drain(db))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("syncguard is not installed")
                .extracting(e -> ((PgFerryException) e).fix())
                .asString()
                .contains("pgferry guard install");
    }

    private static void write(TestDatabase db, AtomicBoolean stop, AtomicReference<Throwable> failure) {
        Random random = new Random(6);
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            int n = 0;
            while (!stop.get() || n < 200) {
                int id = 1 + random.nextInt(21000);
                switch (random.nextInt(3)) {
                    case 0 -> st.execute("UPDATE t SET v = v + 1 WHERE id = " + id);
                    case 1 -> st.execute("DELETE FROM t WHERE id = " + id);
                    default -> st.execute("INSERT INTO t VALUES (" + id + ", 1) ON CONFLICT (id) DO UPDATE SET v = 7");
                }
                n++;
            }
        } catch (SQLException | RuntimeException e) {
            failure.set(e);
        }
    }

    static void awaitSwept(TestDatabase db) throws Exception {
        await(() -> db.queryLong("SELECT count(*) FROM syncguard.monitored_tables m"
                        + " WHERE NOT EXISTS (SELECT 1 FROM syncguard.sweep_state s WHERE s.table_id = m.table_id)")
                == 0);
    }

    static void awaitClean(TestDatabase db) throws Exception {
        await(() -> db.queryLong("SELECT count(*) FROM syncguard.dirty_buckets") == 0);
    }

    private static void awaitRecomputed(GuardWorker a, GuardWorker b, long n) throws Exception {
        await(() -> a.totals().bucketsRecomputed() + b.totals().bucketsRecomputed() >= n);
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void await(Condition condition) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + DEADLINE);
            }
            Thread.sleep(20); // polling interval of the wait, not a synchronisation
        }
    }
}
