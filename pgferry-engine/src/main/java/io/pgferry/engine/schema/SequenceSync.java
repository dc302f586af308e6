package io.pgferry.engine.schema;

import io.pgferry.jdbc.TargetTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the target's sequences to the source's: for every serial or identity column of a synced table, the sequence
 * the column owns at the target ({@code pg_get_serial_sequence}) is set to its source counterpart's last value, and
 * so is every sequence a synced column's default reads without owning it ({@link ColumnDef#defaultSequence}), under
 * its name at the target, once however many columns read it. Logical replication does not carry sequences
 * (PostgreSQL docs, "Logical Replication", Restrictions), so this runs at hand-off and when asked.
 */
public final class SequenceSync {
    private static final Logger log = LoggerFactory.getLogger(SequenceSync.class);

    private SequenceSync() {}

    /** Returns the number of sequences set. */
    public static int copy(Connection source, Connection target, List<SourceTable> tables, Map<?, TargetTable> targets)
            throws SQLException {
        int set = 0;
        Set<String> shared = new HashSet<>();
        for (SourceTable t : tables) {
            TargetTable tt = targets.get(t.name());
            for (ColumnDef c : t.columns()) {
                String from;
                String to;
                SequenceDef seq = c.defaultSequence();
                if (seq != null) {
                    if (!shared.add(seq.qualified())) {
                        continue;
                    }
                    from = seq.sourceQualified();
                    to = regclass(target, seq.qualified());
                    if (to == null) {
                        log.warn(
                                "sequence {}, which column {} of {} reads at the source, is not at the target as {}:"
                                        + " not set; create it there (CREATE SEQUENCE), then set the sequences again",
                                from,
                                c.name(),
                                t.name(),
                                seq.qualified());
                        continue;
                    }
                } else if (c.serialSequence() != null || c.identity() != 0) {
                    from = sequenceOf(source, t.printed(), c.name());
                    to = sequenceOf(target, PgSql.qualified(tt.schema(), tt.table()), c.name());
                    if (from == null || to == null) {
                        continue;
                    }
                } else {
                    continue;
                }
                setval(source, target, from, to);
                set++;
            }
        }
        log.info("set {} sequences at the target", set);
        return set;
    }

    private static void setval(Connection source, Connection target, String from, String to) throws SQLException {
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
    }

    private static String sequenceOf(Connection c, String qualifiedTable, String column) throws SQLException {
        return text(c, "SELECT pg_catalog.pg_get_serial_sequence(?, ?)", qualifiedTable, column);
    }

    /** {@code qualified} as the target names it, or null when it has no such relation. */
    private static String regclass(Connection c, String qualified) throws SQLException {
        return text(c, "SELECT pg_catalog.to_regclass(?)::text", qualified);
    }

    private static String text(Connection c, String query, String... arguments) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(query)) {
            for (int i = 0; i < arguments.length; i++) {
                ps.setString(i + 1, arguments[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
