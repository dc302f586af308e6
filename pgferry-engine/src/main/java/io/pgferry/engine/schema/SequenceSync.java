package io.pgferry.engine.schema;

import io.pgferry.jdbc.TargetTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the target's sequences to the source's: for every serial or identity column of a synced table, the sequence
 * the column owns at the target ({@code pg_get_serial_sequence}) is set to its source counterpart's last value. Logical
 * replication does not carry sequences (PostgreSQL docs, "Logical Replication", Restrictions), so this runs at
 * hand-off and when asked.
 */
public final class SequenceSync {
    private static final Logger log = LoggerFactory.getLogger(SequenceSync.class);

    private SequenceSync() {}

    /** Returns the number of sequences set. */
    public static int copy(Connection source, Connection target, List<SourceTable> tables, Map<?, TargetTable> targets)
            throws SQLException {
        int set = 0;
        for (SourceTable t : tables) {
            TargetTable tt = targets.get(t.name());
            for (ColumnDef c : t.columns()) {
                if (c.serialSequence() == null && c.identity() == 0) {
                    continue;
                }
                String from = sequenceOf(source, t.printed(), c.name());
                String to = sequenceOf(target, PgSql.qualified(tt.schema(), tt.table()), c.name());
                if (from == null || to == null) {
                    continue;
                }
                long last;
                boolean called;
                try (Statement st = source.createStatement();
                        ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM " + from)) {
                    rs.next();
                    last = rs.getLong(1);
                    called = rs.getBoolean(2);
                }
                try (PreparedStatement ps = target.prepareStatement("SELECT pg_catalog.setval(?::regclass, ?, ?)")) {
                    ps.setString(1, to);
                    ps.setLong(2, last);
                    ps.setBoolean(3, called);
                    ps.execute();
                }
                set++;
            }
        }
        log.info("set {} sequences at the target", set);
        return set;
    }

    private static String sequenceOf(Connection c, String qualifiedTable, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_get_serial_sequence(?, ?)")) {
            ps.setString(1, qualifiedTable);
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
