package io.pgferry.jdbc;

import io.pgferry.core.Lsn;
import io.pgferry.core.sink.SourceState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Optional;

/**
 * A sync's row of {@code source_state} in its catalog ({@link SyncCatalog#sourceStates()}): what the running sync
 * last saw of the source, so that a status read from the destination alone reports lag and slot. Informative, off the
 * data path: written in autocommit by one thread of the sync, read by status.
 */
public final class SourceStates {
    private final String table;
    private final String now;
    private final String syncName;

    SourceStates(String table, String now, String syncName) {
        this.table = table;
        this.now = now;
        this.syncName = syncName;
    }

    /**
     * Records what the sync just saw of the source (the observation time is the destination's), creating the row
     * when missing; {@code confirmedFlush} and {@code retainedBytes} are null when the slot is missing, {@code
     * caughtUpAt} when unknown.
     */
    public void save(
            Connection c,
            Lsn walPosition,
            String slotStatus,
            Lsn confirmedFlush,
            Long retainedBytes,
            Instant caughtUpAt)
            throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE " + table
                + " SET wal_lsn = ?, slot_status = ?, slot_confirmed_flush = ?, slot_retained_bytes = ?,"
                + " caught_up_at = ?, observed_at = " + now + " WHERE sync_name = ?")) {
            bind(up, walPosition, slotStatus, confirmedFlush, retainedBytes, caughtUpAt);
            if (up.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + table + " (wal_lsn, slot_status,"
                + " slot_confirmed_flush, slot_retained_bytes, caught_up_at, sync_name, observed_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, " + now + ")")) {
            bind(ins, walPosition, slotStatus, confirmedFlush, retainedBytes, caughtUpAt);
            ins.executeUpdate();
        }
    }

    private void bind(
            PreparedStatement ps,
            Lsn walPosition,
            String slotStatus,
            Lsn confirmedFlush,
            Long retainedBytes,
            Instant caughtUpAt)
            throws SQLException {
        ps.setLong(1, walPosition.value());
        ps.setString(2, slotStatus);
        if (confirmedFlush == null) {
            ps.setNull(3, Types.BIGINT);
        } else {
            ps.setLong(3, confirmedFlush.value());
        }
        if (retainedBytes == null) {
            ps.setNull(4, Types.BIGINT);
        } else {
            ps.setLong(4, retainedBytes);
        }
        ps.setTimestamp(5, caughtUpAt == null ? null : Timestamp.from(caughtUpAt));
        ps.setString(6, syncName);
    }

    /**
     * What a running sync last saw of the source; empty when it has recorded nothing (or the catalog predates the
     * record: it is created by the next sync that starts). A row of a release before {@code caught_up_at} reads with
     * it null: the columns are read by name.
     */
    public Optional<SourceState> read(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " WHERE sync_name = ?")) {
            ps.setString(1, syncName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Lsn wal = Lsn.of(rs.getLong("wal_lsn"));
                String status = rs.getString("slot_status");
                long confirmed = rs.getLong("slot_confirmed_flush");
                Lsn confirmedFlush = rs.wasNull() ? null : Lsn.of(confirmed);
                long retained = rs.getLong("slot_retained_bytes");
                Long retainedBytes = rs.wasNull() ? null : retained;
                Instant caughtUpAt = null;
                ResultSetMetaData meta = rs.getMetaData();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    if ("caught_up_at".equalsIgnoreCase(meta.getColumnName(i))) {
                        caughtUpAt = instant(rs.getTimestamp(i));
                    }
                }
                return Optional.of(new SourceState(
                        wal,
                        status,
                        confirmedFlush,
                        retainedBytes,
                        instant(rs.getTimestamp("observed_at")),
                        caughtUpAt));
            }
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
