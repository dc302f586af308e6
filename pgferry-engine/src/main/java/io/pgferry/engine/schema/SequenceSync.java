package io.pgferry.engine.schema;

import io.pgferry.jdbc.TargetTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
 * its name at the target, once however many columns read it, and every sequence no column owns that the sync's
 * table patterns pick ({@link SequenceDef#standalone}), under its name at the target too. Logical replication does
 * not carry sequences (PostgreSQL docs, "Logical Replication", Restrictions), so this runs at hand-off and when
 * asked.
 */
public final class SequenceSync {
    private static final Logger log = LoggerFactory.getLogger(SequenceSync.class);

    private SequenceSync() {}

    /** Sequences read or set per round trip. */
    private static final int BATCH = 500;

    /** Sets the sequences of {@code tables} and the {@code standalone} ones; returns the number set. */
    public static int copy(
            Connection source,
            Connection target,
            List<SourceTable> tables,
            Map<?, TargetTable> targets,
            List<SequenceDef> standalone)
            throws SQLException {
        // Which sequences first, each side's names read for all columns at once: a round trip per sequence and side
        // took seconds for thousands of tables.
        List<String[]> owned = new ArrayList<>();
        List<String> from = new ArrayList<>();
        List<String> to = new ArrayList<>();
        List<SequenceDef> shared = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (SourceTable t : tables) {
            TargetTable tt = targets.get(t.name());
            for (ColumnDef c : t.columns()) {
                SequenceDef seq = c.defaultSequence();
                if (seq != null) {
                    if (seen.add(seq.qualified())) {
                        shared.add(seq);
                    }
                } else if (c.serialSequence() != null || c.identity() != 0) {
                    owned.add(new String[] {t.printed(), PgSql.qualified(tt.schema(), tt.table()), c.name()});
                }
            }
        }
        int readByColumns = shared.size();
        for (SequenceDef seq : standalone) {
            if (seen.add(seq.qualified())) {
                shared.add(seq);
            }
        }
        List<String> sourceOwned =
                texts(source, SERIAL_SEQUENCES, owned.stream().map(o -> o[0]).toList(), columnsOf(owned));
        List<String> targetOwned =
                texts(target, SERIAL_SEQUENCES, owned.stream().map(o -> o[1]).toList(), columnsOf(owned));
        for (int i = 0; i < owned.size(); i++) {
            if (sourceOwned.get(i) != null && targetOwned.get(i) != null) {
                from.add(sourceOwned.get(i));
                to.add(targetOwned.get(i));
            }
        }
        List<String> sharedAtTarget = texts(
                target, REGCLASS, shared.stream().map(SequenceDef::qualified).toList(), null);
        for (int i = 0; i < shared.size(); i++) {
            SequenceDef seq = shared.get(i);
            if (sharedAtTarget.get(i) == null) {
                log.warn(
                        "sequence {}, which {} at the source, is not at the target as {}: not set; create it there"
                                + " (CREATE SEQUENCE), then set the sequences again",
                        seq.sourceQualified(),
                        i < readByColumns ? "a column of a synced table reads" : "the sync's table patterns pick",
                        seq.qualified());
                continue;
            }
            from.add(seq.sourceQualified());
            to.add(sharedAtTarget.get(i));
        }
        for (int i = 0; i < from.size(); i += BATCH) {
            setvals(
                    source,
                    target,
                    from.subList(i, Math.min(from.size(), i + BATCH)),
                    to.subList(i, Math.min(to.size(), i + BATCH)));
        }
        log.info("set {} sequences at the target", from.size());
        return from.size();
    }

    private static final String SERIAL_SEQUENCES = "SELECT pg_catalog.pg_get_serial_sequence(u.t, u.c)"
            + " FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS u (t, c, i) ORDER BY u.i";

    private static final String REGCLASS = "SELECT pg_catalog.to_regclass(u.x)::text"
            + " FROM unnest(?::text[]) WITH ORDINALITY AS u (x, i) ORDER BY u.i";

    private static List<String> columnsOf(List<String[]> owned) {
        return owned.stream().map(o -> o[2]).toList();
    }

    /**
     * What {@code query} returns, a row for each element of {@code first} (and of {@code second}, the same length,
     * when not null), in their order, {@value #BATCH} elements to a round trip.
     */
    private static List<String> texts(Connection c, String query, List<String> first, List<String> second)
            throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(query)) {
            for (int i = 0; i < first.size(); i += BATCH) {
                int end = Math.min(first.size(), i + BATCH);
                ps.setArray(1, c.createArrayOf("text", first.subList(i, end).toArray()));
                if (second != null) {
                    ps.setArray(
                            2, c.createArrayOf("text", second.subList(i, end).toArray()));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
        }
        return out;
    }

    /** Sets each sequence of {@code to} to its counterpart's of {@code from}: a query each side, whatever the count. */
    private static void setvals(Connection source, Connection target, List<String> from, List<String> to)
            throws SQLException {
        // The names are the servers' own (pg_get_serial_sequence, a sequence's qualified name), quoted as needed.
        StringBuilder read = new StringBuilder();
        for (int i = 0; i < from.size(); i++) {
            read.append(i == 0 ? "" : " UNION ALL ")
                    .append("SELECT ")
                    .append(i)
                    .append(", last_value, is_called FROM ")
                    .append(from.get(i));
        }
        Long[] last = new Long[from.size()];
        Boolean[] called = new Boolean[from.size()];
        try (Statement st = source.createStatement();
                ResultSet rs = st.executeQuery(read.toString())) {
            while (rs.next()) {
                last[rs.getInt(1)] = rs.getLong(2);
                called[rs.getInt(1)] = rs.getBoolean(3);
            }
        }
        try (PreparedStatement ps = target.prepareStatement("SELECT pg_catalog.setval(u.s::regclass, u.v, u.c)"
                + " FROM unnest(?::text[], ?::bigint[], ?::boolean[]) AS u (s, v, c)")) {
            ps.setArray(1, target.createArrayOf("text", to.toArray()));
            ps.setArray(2, target.createArrayOf("int8", last));
            ps.setArray(3, target.createArrayOf("bool", called));
            ps.execute();
        }
    }
}
