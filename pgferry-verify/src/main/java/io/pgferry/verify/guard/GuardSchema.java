package io.pgferry.verify.guard;

import io.pgferry.core.PgFerryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Installs, upgrades and removes the {@code syncguard} schema: plain SQL, no extension. The schema is built by
 * numbered migrations ({@code 001-base.sql}, ...) kept in this package; {@code syncguard.guard_version} records how
 * many ran, so {@link #upgrade} runs only the missing ones, in order, in one transaction.
 *
 * <p>Every method runs in one transaction of its own on the given connection and leaves auto-commit as it found it:
 * a failure leaves the database as it was.
 */
public final class GuardSchema {
    /** The schema every object lives in; the name pg-sync-guard users know. */
    public static final String SCHEMA = "syncguard";

    private static final List<String> MIGRATIONS =
            List.of("001-base.sql", "002-mixed-row-hash.sql", "003-direct-row-hash.sql", "004-follow-ddl.sql");

    /** The version this build installs and upgrades to. */
    public static final int CURRENT_VERSION = MIGRATIONS.size();

    /** How a fix names the install, for a program that embeds the library and for the command line. */
    static final String HOW_TO_INSTALL = "GuardSchema.install, or pgferry guard install";

    /** How a fix names the upgrade, likewise. */
    static final String HOW_TO_UPGRADE = "GuardSchema.upgrade, or pgferry guard upgrade";

    private GuardSchema() {}

    /** The installed version, or empty when the schema is not installed. */
    public static OptionalInt installedVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT to_regclass('syncguard.guard_version') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return OptionalInt.empty();
            }
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT max(version) FROM syncguard.guard_version")) {
            rs.next();
            int v = rs.getInt(1);
            return rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(v);
        }
    }

    /**
     * The installed version, which must be {@link #CURRENT_VERSION}: catalogs of another version hash differently, so
     * this build neither reads nor writes them.
     *
     * @param where the database, as errors should name it ("the publisher (database app)")
     * @throws PgFerryException when the schema is missing, older or newer
     */
    public static void requireCurrent(Connection c, String where) throws SQLException {
        OptionalInt installed = installedVersion(c);
        if (installed.isEmpty()) {
            throw PgFerryException.fatal(
                    "syncguard is not installed on " + where, "install it there first (" + HOW_TO_INSTALL + ")");
        }
        int v = installed.getAsInt();
        if (v < CURRENT_VERSION) {
            throw PgFerryException.fatal(
                    "syncguard version " + v + " on " + where + " is older than this pgferry's (" + CURRENT_VERSION
                            + ")",
                    "upgrade it (" + HOW_TO_UPGRADE + "); the worker then sweeps its tables again");
        }
        if (v > CURRENT_VERSION) {
            throw PgFerryException.fatal(
                    "syncguard version " + v + " on " + where + " is newer than this pgferry knows (" + CURRENT_VERSION
                            + ")",
                    "use the pgferry release that installed it, or a newer one");
        }
    }

    /**
     * Creates the schema at {@link #CURRENT_VERSION}, unless that version is installed already: installing is
     * idempotent, as a provisioning script that runs it on every deploy needs.
     *
     * @return false when this version was installed already and nothing was done
     * @throws PgFerryException when another version is installed, or a schema named syncguard holds other objects
     */
    public static boolean install(Connection c) throws SQLException {
        if (installedVersion(c).orElse(0) == CURRENT_VERSION) {
            return false;
        }
        install(c, CURRENT_VERSION);
        return true;
    }

    /** Creates the schema at an older {@code version}: for tests of {@link #upgrade}. */
    static void install(Connection c, int version) throws SQLException {
        OptionalInt installed = installedVersion(c);
        if (installed.isPresent()) {
            throw PgFerryException.fatal(
                    "syncguard version " + installed.getAsInt() + " is already installed",
                    installed.getAsInt() < CURRENT_VERSION
                            ? "upgrade it to version " + CURRENT_VERSION + " (" + HOW_TO_UPGRADE + ")"
                            : "use a pgferry of version " + installed.getAsInt() + "'s release or later");
        }
        boolean controlPlaneOnly = false;
        if (schemaExists(c)) {
            List<String> foreign = relationsOutsideControlPlane(c);
            if (!foreign.isEmpty()) {
                throw PgFerryException.fatal(
                        "a schema named syncguard exists but was not installed by pgferry (it holds " + foreign
                                + " and no syncguard.guard_version)",
                        "drop or rename it (it may be the pg_sync_guard extension: DROP EXTENSION pg_sync_guard)");
            }
            controlPlaneOnly = true;
        }
        boolean createSchema = !controlPlaneOnly;
        inTransaction(c, st -> {
            if (createSchema) {
                st.execute("CREATE SCHEMA syncguard");
            }
            st.execute("CREATE TABLE syncguard.guard_version (version integer NOT NULL,"
                    + " installed_at timestamptz NOT NULL DEFAULT now(), upgraded_at timestamptz)");
            for (int i = 0; i < version; i++) {
                st.execute(migration(MIGRATIONS.get(i)));
            }
            st.execute("INSERT INTO syncguard.guard_version (version) VALUES (" + version + ")");
        });
    }

    /**
     * Runs the migrations past the installed version. Registered tables keep their registration; their triggers are
     * re-created when a migration changes them.
     *
     * @return the version before the upgrade
     */
    public static int upgrade(Connection c) throws SQLException {
        OptionalInt installed = installedVersion(c);
        if (installed.isEmpty()) {
            throw PgFerryException.fatal("syncguard is not installed", "install it (" + HOW_TO_INSTALL + ")");
        }
        int from = installed.getAsInt();
        if (from > CURRENT_VERSION) {
            throw PgFerryException.fatal(
                    "syncguard version " + from + " is newer than this pgferry knows (" + CURRENT_VERSION + ")",
                    "use the pgferry release that installed it, or a newer one");
        }
        if (from == CURRENT_VERSION) {
            return from;
        }
        inTransaction(c, st -> {
            for (int i = from; i < CURRENT_VERSION; i++) {
                st.execute(migration(MIGRATIONS.get(i)));
            }
            st.execute("UPDATE syncguard.guard_version SET version = " + CURRENT_VERSION + ", upgraded_at = now()");
            st.execute("SELECT syncguard.install_triggers(table_id) FROM syncguard.monitored_tables");
        });
        return from;
    }

    /**
     * Removes the schema with everything in it, and the triggers of every registered table.
     *
     * @return false when it was not installed
     */
    public static boolean uninstall(Connection c) throws SQLException {
        if (installedVersion(c).isEmpty()) {
            return false;
        }
        boolean keepControlPlane = hasControlPlane(c);
        inTransaction(c, st -> {
            // First: they depend on syncguard's functions and would follow the drops below (version 4 on).
            st.execute("DROP EVENT TRIGGER IF EXISTS syncguard_follow_ddl");
            st.execute("DROP EVENT TRIGGER IF EXISTS syncguard_forget_dropped");
            st.execute("SELECT syncguard.unregister_table(schema_name, table_name) FROM syncguard.monitored_tables");
            if (!keepControlPlane) {
                st.execute("DROP SCHEMA syncguard CASCADE");
                return;
            }
            // The verification history shares the schema: drop everything else.
            st.execute("DROP VIEW syncguard.buckets");
            st.execute("DROP TABLE syncguard.monitored_tables, syncguard.bucket_catalog, syncguard.dirty_buckets,"
                    + " syncguard.sweep_state, syncguard.worker_state, syncguard.guard_version");
            List<String> functions = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p"
                    + " WHERE p.pronamespace = 'syncguard'::regnamespace")) {
                while (rs.next()) {
                    functions.add(rs.getString(1));
                }
            }
            for (String f : functions) {
                st.execute("DROP FUNCTION " + f);
            }
        });
        return true;
    }

    private static boolean schemaExists(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'syncguard')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * Publications {@code FOR ALL TABLES} of the database: they also publish syncguard's logged tables, which a
     * subscriber with its own syncguard must not receive.
     */
    public static List<String> allTablesPublications(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT pubname FROM pg_catalog.pg_publication WHERE puballtables" + " ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The verification history's tables (see ControlPlane), which may share the schema. */
    private static final List<String> CONTROL_PLANE = List.of("validation_runs", "divergence_log");

    private static List<String> relationsOutsideControlPlane(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT c.relname FROM pg_catalog.pg_class c"
                        + " WHERE c.relnamespace = 'syncguard'::regnamespace AND c.relkind IN ('r', 'v', 'p', 'm')"
                        + " ORDER BY 1")) {
            while (rs.next()) {
                if (!CONTROL_PLANE.contains(rs.getString(1))) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static boolean hasControlPlane(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT to_regclass('syncguard.validation_runs') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private interface Work {
        void run(Statement st) throws SQLException;
    }

    private static void inTransaction(Connection c, Work work) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            work.run(st);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static String migration(String name) {
        try (InputStream in = GuardSchema.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + GuardSchema.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
