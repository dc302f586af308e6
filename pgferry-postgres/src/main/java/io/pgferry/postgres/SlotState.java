package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A replication slot as pg_replication_slots shows it, read with one query. See the PostgreSQL docs,
 * "pg_replication_slots".
 */
record SlotState(
        String name, String plugin, String slotType, String database, boolean active, Integer activePid,
        Lsn confirmedFlush) {

    static Optional<SlotState> find(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT slot_name, plugin, slot_type, database, active,"
                + " active_pid, confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                int pid = rs.getInt(6);
                Integer activePid = rs.wasNull() ? null : pid;
                String confirmed = rs.getString(7);
                return Optional.of(new SlotState(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getBoolean(5),
                        activePid,
                        confirmed == null ? Lsn.INVALID : Lsn.parse(confirmed)));
            }
        }
    }
}
