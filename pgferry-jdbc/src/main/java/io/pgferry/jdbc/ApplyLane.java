package io.pgferry.jdbc;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.sink.TableFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A second target session of a PostgreSQL sync's {@link JdbcSink}: it writes part of a batch's rows while the sink's
 * own session writes the rest, so that two backends apply a batch where one did (issue 5).
 *
 * <p><b>The split.</b> Each key's changes in a batch go to one session, in source order. A table is split by key: the
 * lane takes the rows whose key falls in {@link #LANE_HALF} ({@link Key#half}), the sink's session the others. A
 * table with a unique index or exclusion constraint besides its key is not: two of its rows may take turns holding a
 * value, and written by two sessions the second could claim it first. It goes whole to the session with fewer rows.
 *
 * <p><b>Exactly-once.</b> The lane commits its part first, recording in the same transaction, for each table it
 * wrote, the end of the batch and whether it wrote the whole table or its half ({@code apply_lane}); the sink's
 * session commits after it, with the batch's position in {@code sync_progress}. A crash between the two commits
 * leaves the lane's rows ahead of that position: when the source delivers the batch's transactions again, a change
 * in a transaction that ends at or before its table's lane position, to a key in the part the lane wrote, is dropped
 * ({@link #covers}). Both commits go to one cluster's WAL in that order, so the sink's commit being durable makes the
 * lane's durable too.
 *
 * <p>A session holds no row another waits for: a table written on the sink's session during a batch (a change written
 * alone) is not handed to the lane in that batch; the caller hands over only batches whose runs were all held. Foreign
 * keys and triggers, which see other rows, are off in both sessions ({@code session_replication_role = replica});
 * the sink does not use a lane otherwise.
 *
 * <p>Threading: {@link #covers} and {@link #split} on the sink's thread; {@link #write} and {@link #await} on the
 * thread that writes the batch, which awaits the lane's commit before its own.
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
    private final Map<String, Position> positions = new ConcurrentHashMap<>();
    /** The latest of {@link #positions}: a transaction ending after it is covered by none (the common case). */
    private volatile Lsn latest = Lsn.INVALID;

    private boolean loaded;

    /** The half of the keys ({@link Key#half}) the lane writes of a table split by key. */
    static final int LANE_HALF = 1;

    /** The end of the last batch the lane wrote of a table, and whether it wrote all of the table's rows or its half. */
    private record Position(Lsn lsn, boolean whole) {}

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
                    + " fingerprint text NOT NULL, lsn bigint NOT NULL, whole boolean NOT NULL DEFAULT true,"
                    + " PRIMARY KEY (sync_name, source_table))");
            st.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS whole boolean NOT NULL DEFAULT true");
        }
        connection.setAutoCommit(false);
    }

    /**
     * Whether the lane has applied {@code change}'s row of the transaction ending at {@code txEnd}: the source delivers
     * it again after a crash or a failed batch.
     */
    boolean covers(ChangeEvent change, Lsn txEnd) throws SQLException {
        if (!loaded) {
            load();
        }
        if (!txEnd.isValid() || txEnd.isAfter(latest)) {
            return false;
        }
        // A TRUNCATE is written alone, on the sink's session: its tables' batch never went to the lane. So is a key
        // change, so an update's key is its new row's.
        if (change instanceof ChangeEvent.Insert i) {
            return covered(i.relation(), txEnd, i.after());
        }
        if (change instanceof ChangeEvent.Update u) {
            return covered(u.relation(), txEnd, u.after());
        }
        return change instanceof ChangeEvent.Delete d && covered(d.relation(), txEnd, d.before());
    }

    private boolean covered(Relation relation, Lsn txEnd, Row keyed) {
        Position p = positions.get(name(relation));
        return p != null
                && !txEnd.isAfter(p.lsn())
                && (p.whole() || Key.of(keyed, dialect).half() == LANE_HALF);
    }

    /** A source table's name as recorded: quoted, so that a dot in a name is not read as the separator. */
    private String name(Relation relation) {
        return dialect.quote(relation.schema()) + "." + dialect.quote(relation.table());
    }

    private void load() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT source_table, lsn, whole FROM " + table + " WHERE sync_name = ? AND fingerprint = ?")) {
            ps.setString(1, syncName);
            ps.setString(2, fingerprint.get());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    record(rs.getString(1), new Position(Lsn.of(rs.getLong(2)), rs.getBoolean(3)));
                }
            }
        }
        connection.commit();
        loaded = true;
    }

    private void record(String source, Position p) {
        positions.put(source, p);
        if (p.lsn().isAfter(latest)) {
            latest = p.lsn();
        }
    }

    /** A batch's runs split between the two sessions, and what the lane records of each table it writes. */
    record Split(List<Run> lane, List<Run> own, Map<String, Boolean> sources) {}

    /**
     * Splits a batch's runs between the two sessions (see "The split"); null when the lane would get nothing. Reads
     * no connection: the sink's thread makes it while the batch before is being written.
     *
     * @param whole the tables not to split by key
     */
    Split split(List<Run> runs, Set<TargetTable> whole) {
        Map<TargetTable, Integer> rows = new LinkedHashMap<>();
        for (Run r : runs) {
            rows.merge(r.target, r.size(), Integer::sum);
        }
        long laneRows = 0;
        long ownRows = 0;
        List<TargetTable> unsplit = new ArrayList<>();
        for (Map.Entry<TargetTable, Integer> e : rows.entrySet()) {
            if (whole.contains(e.getKey())) {
                unsplit.add(e.getKey());
            } else {
                laneRows += e.getValue() / 2;
                ownRows += e.getValue() - e.getValue() / 2;
            }
        }
        unsplit.sort(Comparator.comparing(rows::get, Comparator.reverseOrder()));
        Set<TargetTable> toLane = new HashSet<>();
        for (TargetTable t : unsplit) {
            if (laneRows < ownRows) {
                toLane.add(t);
                laneRows += rows.get(t);
            } else {
                ownRows += rows.get(t);
            }
        }
        if (laneRows == 0) {
            return null;
        }
        List<Run> laneRuns = new ArrayList<>();
        List<Run> own = new ArrayList<>();
        Map<String, Boolean> sources = new LinkedHashMap<>();
        for (Run r : runs) {
            if (!whole.contains(r.target)) {
                Run[] halves = r.halves();
                addUnlessEmpty(laneRuns, halves[LANE_HALF]);
                addUnlessEmpty(own, halves[1 - LANE_HALF]);
                sources.put(name(r.relation), false);
            } else if (toLane.contains(r.target)) {
                laneRuns.add(r);
                sources.put(name(r.relation), true);
            } else {
                own.add(r);
            }
        }
        return new Split(laneRuns, own, sources);
    }

    private static void addUnlessEmpty(List<Run> runs, Run r) {
        if (r.size() > 0) {
            runs.add(r);
        }
    }

    /** Hands the lane its part of a batch, to write, record and commit on its own thread. */
    void write(Split split, Lsn endLsn) {
        thread.submit(() -> writeLane(split.lane(), split.sources(), endLsn));
    }

    private void writeLane(List<Run> runs, Map<String, Boolean> sources, Lsn endLsn) {
        Relation writing = null;
        try {
            for (Run r : runs) {
                writing = r.relation;
                r.flush(writes);
            }
            writing = null;
            PreparedStatement ps = writes.statement("INSERT INTO " + table + " (sync_name, source_table,"
                    + " fingerprint, lsn, whole) SELECT ?, s, ?, ?, w FROM unnest(?::text[], ?::boolean[]) AS u(s, w)"
                    + " ON CONFLICT (sync_name, source_table) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,"
                    + " lsn = EXCLUDED.lsn, whole = EXCLUDED.whole");
            ps.setString(1, syncName);
            ps.setString(2, fingerprint.get());
            ps.setLong(3, endLsn.value());
            ps.setArray(4, connection.createArrayOf("text", sources.keySet().toArray()));
            ps.setArray(5, connection.createArrayOf("boolean", sources.values().toArray()));
            ps.executeUpdate();
            connection.commit();
            sources.forEach((s, w) -> record(s, new Position(endLsn, w)));
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
