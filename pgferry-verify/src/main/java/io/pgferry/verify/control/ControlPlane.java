package io.pgferry.verify.control;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.verify.compare.VerifyReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The history of verification runs ({@code validation_runs}) and the divergences they found ({@code divergence_log},
 * each open, reviewed, resolved or ignored), as pg-sync-guard kept them: in a PostgreSQL database (schema
 * {@code syncguard}) or in a SQLite file. The tables are created on first use. Times are stored as ISO-8601 text
 * in SQLite and timestamptz in PostgreSQL.
 *
 * <p>Not thread-safe: one instance per thread. Each write is one transaction.
 */
public final class ControlPlane implements AutoCloseable {
    /** The states of a divergence, in the order a person moves it along. */
    public static final List<String> STATES = List.of("open", "reviewed", "resolved", "ignored");

    private final Connection c;
    private final boolean sqlite;
    private final String prefix;
    private final String where;

    private ControlPlane(Connection c, boolean sqlite, String where) throws SQLException {
        this.c = c;
        this.sqlite = sqlite;
        this.prefix = sqlite ? "" : "syncguard.";
        this.where = where;
        create();
    }

    /** The control plane in a PostgreSQL database. */
    public static ControlPlane postgres(Dsn dsn) {
        Connection c = Connections.open(dsn);
        try {
            return new ControlPlane(c, false, dsn.dbname() + " at " + dsn.endpoints());
        } catch (SQLException e) {
            Connections.closeQuietly(c);
            throw Connections.classify(e, dsn);
        }
    }

    /** The control plane in a SQLite file, created (with its folder) when missing. */
    public static ControlPlane sqlite(Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try {
                return new ControlPlane(c, true, file.toString());
            } catch (SQLException e) {
                Connections.closeQuietly(c);
                throw e;
            }
        } catch (IOException | SQLException e) {
            throw PgFerryException.fatal(
                    "cannot open the control plane file " + file + ": " + e.getMessage(),
                    "check the path and its permissions, or give a PostgreSQL control plane",
                    e);
        }
    }

    /** Where the control plane is, for messages. */
    public String location() {
        return where;
    }

    private void create() throws SQLException {
        List<String> ddl = new ArrayList<>();
        String time = sqlite ? "text" : "timestamptz";
        if (!sqlite) {
            ddl.add("CREATE SCHEMA IF NOT EXISTS syncguard");
        }
        ddl.add("CREATE TABLE IF NOT EXISTS " + prefix + "validation_runs (run_id text PRIMARY KEY, started_at " + time
                + " NOT NULL, finished_at " + time + " NOT NULL, mode text NOT NULL, outcome text NOT NULL,"
                + " exit_code integer NOT NULL, publisher text NOT NULL, subscriber text NOT NULL,"
                + " coverage_pct double precision NOT NULL, buckets bigint NOT NULL, compared bigint NOT NULL,"
                + " divergences bigint NOT NULL, problems text NOT NULL)");
        ddl.add("CREATE TABLE IF NOT EXISTS " + prefix + "divergence_log ("
                + (sqlite
                        ? "divergence_id integer PRIMARY KEY AUTOINCREMENT"
                        : "divergence_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
                + ", run_id text NOT NULL REFERENCES " + prefix + "validation_runs (run_id), schema_name text NOT NULL,"
                + " table_name text NOT NULL, bucket_id bigint NOT NULL, status text NOT NULL, publisher_rows bigint,"
                + " subscriber_rows bigint, state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'reviewed',"
                + " 'resolved', 'ignored')), detected_at " + time + " NOT NULL, reviewed_at " + time + ", resolved_at "
                + time + ", note text)");
        ddl.add("CREATE INDEX IF NOT EXISTS " + (sqlite ? "" : "") + "divergence_log_bucket ON " + prefix
                + "divergence_log (schema_name, table_name, bucket_id, state)");
        inTransaction(() -> {
            try (Statement st = c.createStatement()) {
                for (String s : ddl) {
                    st.execute(s);
                }
            }
        });
    }

    /**
     * Records a run and one open divergence per differing bucket.
     *
     * @param publisher, subscriber how to name the sides in the history (no password)
     * @return the run's id
     */
    public String record(VerifyReport report, String publisher, String subscriber) {
        String id = UUID.randomUUID().toString();
        long buckets = report.tables().stream()
                .mapToLong(VerifyReport.TableResult::buckets)
                .sum();
        long compared = report.tables().stream()
                .mapToLong(VerifyReport.TableResult::compared)
                .sum();
        List<String> problems = new ArrayList<>(report.problems());
        report.tables().forEach(t -> t.problems().forEach(p -> problems.add(t.schema() + "." + t.table() + ": " + p)));
        try {
            inTransaction(() -> {
                try (PreparedStatement st = c.prepareStatement("INSERT INTO " + prefix + "validation_runs (run_id,"
                        + " started_at, finished_at, mode, outcome, exit_code, publisher, subscriber, coverage_pct,"
                        + " buckets, compared, divergences, problems) VALUES (?, " + ts() + ", " + ts()
                        + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    st.setString(1, id);
                    st.setString(2, report.startedAt().toString());
                    st.setString(3, report.finishedAt().toString());
                    st.setString(4, report.mode().wireName());
                    st.setString(5, report.outcome().wireName());
                    st.setInt(6, report.outcome().exitCode());
                    st.setString(7, publisher);
                    st.setString(8, subscriber);
                    st.setDouble(9, report.coveragePct());
                    st.setLong(10, buckets);
                    st.setLong(11, compared);
                    st.setLong(12, report.divergenceCount());
                    st.setString(13, String.join("\n", problems));
                    st.executeUpdate();
                }
                try (PreparedStatement st = c.prepareStatement("INSERT INTO " + prefix + "divergence_log (run_id,"
                        + " schema_name, table_name, bucket_id, status, publisher_rows, subscriber_rows, detected_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, " + ts() + ")")) {
                    for (VerifyReport.TableResult t : report.tables()) {
                        for (VerifyReport.Divergence d : t.divergences()) {
                            st.setString(1, id);
                            st.setString(2, t.schema());
                            st.setString(3, t.table());
                            st.setLong(4, d.bucketId());
                            st.setString(5, d.status().wireName());
                            st.setObject(6, d.publisherRows());
                            st.setObject(7, d.subscriberRows());
                            st.setString(8, report.finishedAt().toString());
                            st.addBatch();
                        }
                    }
                    st.executeBatch();
                }
            });
        } catch (SQLException e) {
            throw failure("record the run", e);
        }
        return id;
    }

    /** A run as listed. */
    public record Run(
            String runId,
            Instant startedAt,
            Instant finishedAt,
            String mode,
            String outcome,
            int exitCode,
            String publisher,
            String subscriber,
            double coveragePct,
            long buckets,
            long compared,
            long divergences,
            String problems) {}

    /** A divergence as logged. */
    public record Divergence(
            long divergenceId,
            String runId,
            String schema,
            String table,
            long bucketId,
            String status,
            Long publisherRows,
            Long subscriberRows,
            String state,
            Instant detectedAt,
            Instant reviewedAt,
            Instant resolvedAt,
            String note) {}

    /** The latest {@code limit} runs, newest first. */
    public List<Run> runs(int limit) {
        String sql = "SELECT run_id, " + text("started_at") + ", " + text("finished_at") + ", mode, outcome,"
                + " exit_code, publisher, subscriber, coverage_pct, buckets, compared, divergences, problems FROM "
                + prefix + "validation_runs ORDER BY started_at DESC LIMIT ?";
        List<Run> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setInt(1, limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Run(
                            rs.getString(1),
                            instant(rs.getString(2)),
                            instant(rs.getString(3)),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getInt(6),
                            rs.getString(7),
                            rs.getString(8),
                            rs.getDouble(9),
                            rs.getLong(10),
                            rs.getLong(11),
                            rs.getLong(12),
                            rs.getString(13)));
                }
            }
        } catch (SQLException e) {
            throw failure("read the runs", e);
        }
        return out;
    }

    /** One run, found by its id or a unique prefix of it. */
    public Optional<Run> run(String idOrPrefix) {
        List<Run> matching = runs(Integer.MAX_VALUE).stream()
                .filter(r -> r.runId().startsWith(idOrPrefix))
                .toList();
        return matching.size() == 1 ? Optional.of(matching.get(0)) : Optional.empty();
    }

    /** The divergences of a run, by table and bucket. */
    public List<Divergence> divergences(String runId) {
        return divergences("run_id = ?", runId);
    }

    /**
     * Marks the open and reviewed divergences of a bucket between these two sides resolved (after a repair), setting
     * reviewed_at where unset.
     *
     * @param publisher, subscriber the sides as {@link #record} named them
     * @return how many were marked
     */
    public int resolve(String publisher, String subscriber, String schema, String table, long bucketId, String note) {
        return update(
                "state = 'resolved', reviewed_at = coalesce(reviewed_at, " + now() + "), resolved_at = " + now()
                        + ", note = ? WHERE schema_name = ? AND table_name = ? AND bucket_id = ?"
                        + " AND state IN ('open', 'reviewed') AND run_id IN (SELECT run_id FROM " + prefix
                        + "validation_runs WHERE publisher = ? AND subscriber = ?)",
                note,
                schema,
                table,
                bucketId,
                publisher,
                subscriber);
    }

    /**
     * Moves one divergence to {@code state} (one of {@link #STATES}) with an optional note.
     *
     * @return false when there is no such divergence
     */
    public boolean mark(long divergenceId, String state, String note) {
        if (!STATES.contains(state)) {
            throw new IllegalArgumentException("state must be one of " + STATES);
        }
        String times =
                switch (state) {
                    case "reviewed", "ignored" -> ", reviewed_at = coalesce(reviewed_at, " + now() + ")";
                    case "resolved" -> ", reviewed_at = coalesce(reviewed_at, " + now() + "), resolved_at = " + now();
                    default -> ", reviewed_at = NULL, resolved_at = NULL";
                };
        return update(
                        "state = ?" + times + ", note = coalesce(?, note) WHERE divergence_id = ?",
                        state,
                        note,
                        divergenceId)
                == 1;
    }

    private int update(String setAndWhere, Object... args) {
        int[] n = new int[1];
        try {
            inTransaction(() -> {
                try (PreparedStatement st =
                        c.prepareStatement("UPDATE " + prefix + "divergence_log SET " + setAndWhere)) {
                    for (int i = 0; i < args.length; i++) {
                        st.setObject(i + 1, args[i]);
                    }
                    n[0] = st.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw failure("update the divergence log", e);
        }
        return n[0];
    }

    private List<Divergence> divergences(String where, Object... args) {
        String sql = "SELECT divergence_id, run_id, schema_name, table_name, bucket_id, status, publisher_rows,"
                + " subscriber_rows, state, " + text("detected_at") + ", " + text("reviewed_at") + ", "
                + text("resolved_at") + ", note FROM " + prefix + "divergence_log WHERE " + where
                + " ORDER BY schema_name, table_name, bucket_id, divergence_id";
        List<Divergence> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long pr = rs.getLong(7);
                    Long publisherRows = rs.wasNull() ? null : pr;
                    long sr = rs.getLong(8);
                    Long subscriberRows = rs.wasNull() ? null : sr;
                    out.add(new Divergence(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getLong(5),
                            rs.getString(6),
                            publisherRows,
                            subscriberRows,
                            rs.getString(9),
                            instant(rs.getString(10)),
                            instant(rs.getString(11)),
                            instant(rs.getString(12)),
                            rs.getString(13)));
                }
            }
        } catch (SQLException e) {
            throw failure("read the divergence log", e);
        }
        return out;
    }

    /** A timestamp parameter given as ISO-8601 text. */
    private String ts() {
        return sqlite ? "?" : "?::timestamptz";
    }

    private String now() {
        return sqlite ? "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')" : "now()";
    }

    /** A timestamp column read back as ISO-8601 text. */
    private String text(String column) {
        return sqlite ? column : "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }

    private interface Work {
        void run() throws SQLException;
    }

    private void inTransaction(Work work) throws SQLException {
        c.setAutoCommit(false);
        try {
            work.run();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private PgFerryException failure(String what, SQLException e) {
        return PgFerryException.fatal(
                "cannot " + what + " in the control plane (" + where + "): "
                        + String.valueOf(e.getMessage())
                                .lines()
                                .findFirst()
                                .orElse("")
                                .toLowerCase(Locale.ROOT),
                "check that the control plane database is reachable and writable",
                e);
    }

    @Override
    public void close() {
        Connections.closeQuietly(c);
    }
}
