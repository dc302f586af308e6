package io.pgferry.bench;

import io.pgferry.core.Lsn;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The benchmark's side of the source database: the table, the publication, the replication slots and the load.
 * Everything it creates it drops again in {@link #close()}, slots first, also after a failure; when the JVM is
 * stopped by a signal instead, {@link #dropLeftovers()} does the same from a shutdown hook.
 */
final class BenchDatabase implements AutoCloseable {
    static final String TABLE = "bench";
    static final String PUBLICATION = "bench_pub";
    static final String SLOT_PREFIX = "pgferry_bench_";

    private final Dsn dsn;
    private final Connection sql;
    /** Slots created and not dropped yet; concurrent because {@link #dropLeftovers()} may run on another thread. */
    private final Set<String> slots = new ConcurrentSkipListSet<>();

    private volatile boolean createdTable;
    private volatile boolean createdPublication;
    private int copies;

    private BenchDatabase(Dsn dsn, Connection sql) {
        this.dsn = dsn;
        this.sql = sql;
    }

    static BenchDatabase open(Dsn dsn) throws SQLException {
        Connection c = DriverManager.getConnection(dsn.jdbcUrl(), dsn.jdbcProperties());
        try (Statement st = c.createStatement()) {
            // The embedded server runs with synchronous_commit off; on here, each load's commit record is written
            // before pg_current_wal_lsn() is read, so the recorded end position covers it.
            st.execute("SET synchronous_commit = on");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return new BenchDatabase(dsn, c);
    }

    int serverVersionNum() throws SQLException {
        return Integer.parseInt(queryText("SHOW server_version_num"));
    }

    String serverVersion() throws SQLException {
        return queryText("SHOW server_version");
    }

    /** Creates the table and a publication of it; refuses to touch a table or publication that already exists. */
    void createSchema() throws SQLException {
        if (exists("SELECT 1 FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass('public." + TABLE + "')")) {
            throw new IllegalStateException("table public." + TABLE + " already exists; the benchmark fills and drops"
                    + " it, so drop it yourself or use another database");
        }
        if (exists("SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = '" + PUBLICATION + "'")) {
            throw new IllegalStateException(
                    "publication " + PUBLICATION + " already exists; drop it or use another database");
        }
        try (Statement st = sql.createStatement()) {
            st.execute("CREATE TABLE public." + TABLE + " (id bigint PRIMARY KEY, a int, b text, c timestamptz)");
            createdTable = true;
            st.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE public." + TABLE);
            createdPublication = true;
        }
    }

    /** The template slot of a scenario: every run streams a copy of it. */
    static String templateSlot(Scenario scenario) {
        return SLOT_PREFIX + "template_" + scenario.id();
    }

    /** A pgoutput slot whose start is the current WAL position: it will decode everything loaded after this call. */
    String createTemplateSlot(Scenario scenario) throws SQLException {
        String name = templateSlot(scenario);
        try (PreparedStatement st =
                sql.prepareStatement("SELECT lsn FROM pg_catalog.pg_create_logical_replication_slot(?, 'pgoutput')")) {
            st.setString(1, name);
            st.executeQuery().close();
        }
        slots.add(name);
        return name;
    }

    /**
     * A fresh copy of {@code template}: same plugin, same restart and confirmed positions, so every consumer decodes
     * exactly the same WAL (PostgreSQL docs, "Replication Management Functions", pg_copy_logical_replication_slot).
     */
    String copySlot(String template) throws SQLException {
        String name = SLOT_PREFIX + "copy_" + (++copies);
        try (PreparedStatement st = sql.prepareStatement("SELECT pg_catalog.pg_copy_logical_replication_slot(?, ?)")) {
            st.setString(1, template);
            st.setString(2, name);
            st.executeQuery().close();
        }
        slots.add(name);
        return name;
    }

    /**
     * Drops a slot. A consumer that just exited may still hold it while its walsender shuts down, so the holder is
     * terminated first and waited for (pg_terminate_backend with a timeout, PostgreSQL 14+).
     */
    void dropSlot(String name) throws SQLException {
        dropSlot(sql, name);
        slots.remove(name);
    }

    private static void dropSlot(Connection sql, String name) throws SQLException {
        try (PreparedStatement st = sql.prepareStatement("SELECT pg_catalog.pg_terminate_backend(active_pid, 30000)"
                + " FROM pg_catalog.pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL")) {
            st.setString(1, name);
            st.executeQuery().close();
        }
        try (PreparedStatement st = sql.prepareStatement("SELECT pg_catalog.pg_drop_replication_slot(slot_name)"
                + " FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, name);
            st.executeQuery().close();
        }
    }

    /**
     * Inserts {@code transactions} transactions of {@code rowsPerTransaction} rows, ids from {@code firstId} on, each
     * one server-side INSERT ... SELECT over generate_series, and returns the WAL position after the last commit.
     */
    Lsn load(long firstId, int transactions, long rowsPerTransaction) throws SQLException {
        try (PreparedStatement st = sql.prepareStatement("INSERT INTO public." + TABLE
                + " SELECT g, (g % 100000)::int, md5(g::text), now() FROM generate_series(?::bigint, ?::bigint) g")) {
            for (int t = 0; t < transactions; t++) {
                long from = firstId + t * rowsPerTransaction;
                st.setLong(1, from);
                st.setLong(2, from + rowsPerTransaction - 1);
                st.executeUpdate();
            }
        }
        Lsn end = Lsn.parse(queryText("SELECT pg_catalog.pg_current_wal_lsn()::text"));
        checkpoint();
        return end;
    }

    /**
     * Writes the load's dirty pages now, so that the checkpointer does not write them during whichever run comes
     * first (which made the first consumer after a 10,000,000-row load twice as slow as the same one later). Needs a
     * superuser or pg_checkpoint; without, the runs go on, and rotating their order spreads the cost.
     */
    private void checkpoint() {
        try (Statement st = sql.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            System.err.println("bench: cannot CHECKPOINT after the load (" + e.getMessage()
                    + "); the first run after it may be slower");
        }
    }

    /** Drops the slots, then the publication and the table, keeping the first failure and trying the rest. */
    @Override
    public void close() throws SQLException {
        List<SQLException> failures = new ArrayList<>();
        for (String slot : List.copyOf(slots)) {
            try {
                dropSlot(slot);
            } catch (SQLException e) {
                failures.add(e);
            }
        }
        try (Statement st = sql.createStatement()) {
            if (createdPublication) {
                st.execute("DROP PUBLICATION IF EXISTS " + PUBLICATION);
            }
            if (createdTable) {
                st.execute("DROP TABLE IF EXISTS public." + TABLE);
            }
        } catch (SQLException e) {
            failures.add(e);
        } finally {
            sql.close();
        }
        if (!failures.isEmpty()) {
            SQLException first = failures.get(0);
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    /**
     * Drops what this run created, on a connection of its own: for a shutdown hook, while the main thread may still
     * be using {@link #sql}. A lock timeout keeps it from waiting on the main thread's load. Best effort.
     */
    void dropLeftovers() {
        if (slots.isEmpty() && !createdPublication && !createdTable) {
            return;
        }
        try (Connection c = DriverManager.getConnection(dsn.jdbcUrl(), dsn.jdbcProperties());
                Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = '5s'");
            for (String slot : List.copyOf(slots)) {
                dropSlot(c, slot);
                slots.remove(slot);
            }
            if (createdPublication) {
                st.execute("DROP PUBLICATION IF EXISTS " + PUBLICATION);
            }
            if (createdTable) {
                st.execute("DROP TABLE IF EXISTS public." + TABLE);
            }
        } catch (SQLException e) {
            // Interrupted by a signal; the message names what may be left behind.
            System.err.println("StreamBenchmark: could not drop everything it created (slots " + slots
                    + ", publication " + PUBLICATION + ", table " + TABLE + "): " + Dsn.maskSecretsIn(e.getMessage()));
        }
    }

    private boolean exists(String query) throws SQLException {
        try (Statement st = sql.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            return rs.next();
        }
    }

    private String queryText(String query) throws SQLException {
        try (Statement st = sql.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
