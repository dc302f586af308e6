package io.pgferry.jdbc;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.sink.TableFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A second target session of a PostgreSQL sync's {@link JdbcSink}: it writes some tables' runs of a batch while the
 * sink's own session writes the others, so that two backends apply a batch where one did (issue 5).
 *
 * <p><b>Exactly-once.</b> Each table's runs of a batch go to one session. The lane commits its part first, recording
 * in the same transaction, for each table it wrote, the end of the batch ({@code apply_lane}); the sink's session
 * commits after it, with the batch's position in {@code sync_progress}. A crash between the two commits leaves the
 * lane's tables ahead of that position: when the source delivers the batch's transactions again, a table's changes
 * in a transaction that ends at or before its lane position are dropped ({@link #covers}). Both commits go to one
 * cluster's WAL in that order, so the sink's commit being durable makes the lane's durable too.
 *
 * <p>A session holds no row another waits for: a table written on the sink's session during a batch (a change written
 * alone) is not handed to the lane in that batch; the caller hands over only batches whose runs were all held. Foreign
 * keys and triggers, which see other tables, are off in both sessions ({@code session_replication_role = replica});
 * the sink does not use a lane otherwise.
 *
 * <p>Threading: {@link #covers} on the sink's thread; {@link #write} and {@link #await} on the thread that writes the
 * batch, which awaits the lane's commit before its own.
 */
final class ApplyLane implements AutoCloseable {
    private final Connection connection;
    private final PostgresDialect dialect;
    private final Writes writes;
    private final WriteBehind thread = new WriteBehind("pgferry-apply-lane");
    private final String table;
    private final String syncName;
    private final Supplier<String> fingerprint;
    private final String where;
    /** The end of the last batch the lane committed for each source table, by {@link #name}. */
    private final Map<String, Lsn> positions = new ConcurrentHashMap<>();
    /** The latest of {@link #positions}: a transaction ending after it is covered by none (the common case). */
    private volatile Lsn latest = Lsn.INVALID;

    private boolean loaded;

    /**
     * Opens the lane's session on {@code connection}, as the sink's own (see {@link Dialect#prepareApplySession}),
     * and makes its table in the catalog's schema when missing.
     */
    ApplyLane(
            Connection connection,
            PostgresDialect dialect,
            String schema,
            String syncName,
            Supplier<String> fingerprint,
            String where)
            throws SQLException {
        this.connection = connection;
        this.dialect = dialect;
        this.table = dialect.catalogTable(schema, "apply_lane");
        this.syncName = syncName;
        this.fingerprint = fingerprint;
        this.where = where;
        this.writes = new Writes(connection, dialect, where);
        dialect.prepareApplySession(connection);
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + table + " (sync_name text NOT NULL, source_table text NOT NULL,"
                    + " fingerprint text NOT NULL, lsn bigint NOT NULL, PRIMARY KEY (sync_name, source_table))");
        }
        connection.setAutoCommit(false);
    }

    /**
     * Whether the lane has applied {@code change}'s tables' part of the transaction ending at {@code txEnd}: the
     * source delivers it again after a crash or a failed batch.
     */
    boolean covers(ChangeEvent change, Lsn txEnd) throws SQLException {
        if (!loaded) {
            load();
        }
        if (!txEnd.isValid() || txEnd.isAfter(latest)) {
            return false;
        }
        // A TRUNCATE is written alone, on the sink's session: its tables' batch never went to the lane.
        if (change instanceof ChangeEvent.Insert i) {
            return covered(i.relation(), txEnd);
        }
        if (change instanceof ChangeEvent.Update u) {
            return covered(u.relation(), txEnd);
        }
        return change instanceof ChangeEvent.Delete d && covered(d.relation(), txEnd);
    }

    private boolean covered(Relation relation, Lsn txEnd) {
        Lsn p = positions.get(name(relation));
        return p != null && !txEnd.isAfter(p);
    }

    /** A source table's name as recorded: quoted, so that a dot in a name is not read as the separator. */
    private String name(Relation relation) {
        return dialect.quote(relation.schema()) + "." + dialect.quote(relation.table());
    }

    private void load() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT source_table, lsn FROM " + table + " WHERE sync_name = ? AND fingerprint = ?")) {
            ps.setString(1, syncName);
            ps.setString(2, fingerprint.get());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    record(rs.getString(1), Lsn.of(rs.getLong(2)));
                }
            }
        }
        connection.commit();
        loaded = true;
    }

    private void record(String source, Lsn lsn) {
        positions.put(source, lsn);
        if (lsn.isAfter(latest)) {
            latest = lsn;
        }
    }

    /**
     * Splits a batch's runs between the two sessions by rows, the table with the most to the lane, and hands the
     * lane its part, to write, record and commit on its own thread; returns the sink's own part, in order.
     */
    List<Run> write(List<Run> runs, Lsn endLsn) {
        Map<TargetTable, List<Run>> byTable = new LinkedHashMap<>();
        Map<TargetTable, Integer> rows = new LinkedHashMap<>();
        for (Run r : runs) {
            byTable.computeIfAbsent(r.target, t -> new ArrayList<>()).add(r);
            rows.merge(r.target, r.size(), Integer::sum);
        }
        if (byTable.size() < 2) {
            return runs;
        }
        List<TargetTable> largestFirst = new ArrayList<>(rows.keySet());
        largestFirst.sort(Comparator.comparing(rows::get, Comparator.reverseOrder()));
        List<TargetTable> lane = new ArrayList<>();
        long laneRows = 0;
        long ownRows = 0;
        for (TargetTable t : largestFirst) {
            if (lane.isEmpty() || laneRows < ownRows) {
                lane.add(t);
                laneRows += rows.get(t);
            } else {
                ownRows += rows.get(t);
            }
        }
        List<Run> laneRuns = new ArrayList<>();
        List<Run> own = new ArrayList<>();
        for (Run r : runs) {
            (lane.contains(r.target) ? laneRuns : own).add(r);
        }
        List<String> names = new ArrayList<>();
        for (Run r : laneRuns) {
            String name = name(r.relation);
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        thread.submit(() -> writeLane(laneRuns, names, endLsn));
        return own;
    }

    private void writeLane(List<Run> runs, List<String> sources, Lsn endLsn) {
        Relation writing = null;
        try {
            for (Run r : runs) {
                writing = r.relation;
                r.flush(writes);
            }
            writing = null;
            PreparedStatement ps = writes.statement("INSERT INTO " + table + " (sync_name, source_table,"
                    + " fingerprint, lsn) SELECT ?, unnest(?::text[]), ?, ? ON CONFLICT (sync_name, source_table)"
                    + " DO UPDATE SET fingerprint = EXCLUDED.fingerprint, lsn = EXCLUDED.lsn");
            ps.setString(1, syncName);
            ps.setArray(2, connection.createArrayOf("text", sources.toArray()));
            ps.setString(3, fingerprint.get());
            ps.setLong(4, endLsn.value());
            ps.executeUpdate();
            connection.commit();
            for (String s : sources) {
                record(s, endLsn);
            }
        } catch (SQLException e) {
            rollbackQuietly();
            PgFerryException f = JdbcErrors.classify(e, "could not commit a batch at " + where);
            throw writing == null ? f : TableFailure.of(writing.schema(), writing.table(), f);
        }
    }

    /** Returns once the lane's part of the batch is committed; throws its failure. */
    void await() {
        thread.await();
    }

    /** The lane's session reads {@code target}'s columns again: one was added on the sink's session. */
    void columnsChanged(TargetTable target) {
        dialect.forgetColumnTypes(connection, target);
    }

    /** Updates and deletes that found no row at the destination, on the lane's session. */
    long missingRows() {
        return writes.missingRows();
    }

    /** Awaits the lane's part, if any, quietly: the sink is rolling its batch back. */
    void abandon() {
        thread.awaitQuietly();
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // The connection is lost with the transaction; the batch fails either way.
        }
    }

    @Override
    public void close() {
        thread.close();
        writes.close();
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing: nothing is pending, since close awaited the lane's part.
        }
    }
}
