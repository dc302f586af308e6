package io.pgferry.jdbc;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The chunks of a resumable copy, kept at the destination in the sync's {@code copy_chunk} table: the plan is stored
 * once, before the first chunk is copied, and each chunk is marked done in the same transaction as its rows. So after
 * a crash the rows at the destination are exactly those of the chunks marked done, and the copy resumes at the
 * first chunk that is not.
 *
 * <p>Bounds are key values in the source's text form. They are row values: never logged.
 */
public final class CopyChunks {
    private final String table;
    private final String syncName;

    /**
     * One chunk: the rows of {@code relation} whose key is at least {@code lower} and below {@code upper}; a null
     * bound is open.
     *
     * @param rows the rows copied, once done; else 0
     */
    public record Chunk(
            String sourceTable,
            String relation,
            int number,
            List<String> lower,
            List<String> upper,
            long rows,
            boolean done) {

        @Override
        public String toString() {
            return relation + " chunk " + number;
        }
    }

    public CopyChunks(Dialect dialect, String schema, String syncName) {
        this.table = dialect.catalogTable(schema, "copy_chunk");
        this.syncName = syncName;
    }

    /** The stored plan in relation and chunk order, or an empty list when none was stored. */
    public List<Chunk> load(Connection c) throws SQLException {
        List<Chunk> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT source_table, relation, chunk, lower_bound,"
                + " upper_bound, rows_copied, done_at IS NOT NULL FROM " + table
                + " WHERE sync_name = ? ORDER BY relation, chunk")) {
            ps.setString(1, syncName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Chunk(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getInt(3),
                            bound(rs.getArray(4)),
                            bound(rs.getArray(5)),
                            rs.getLong(6),
                            rs.getBoolean(7)));
                }
            }
        }
        return out;
    }

    /** How far a table's chunks are. */
    public record Progress(int done, int total) {}

    /** Chunks done and planned per source table; empty when no chunked copy was planned. */
    public Map<String, Progress> progress(Connection c) throws SQLException {
        Map<String, Progress> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT source_table, count(*) FILTER (WHERE done_at IS NOT"
                + " NULL), count(*) FROM " + table + " WHERE sync_name = ? GROUP BY source_table ORDER BY 1")) {
            ps.setString(1, syncName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new Progress(rs.getInt(2), rs.getInt(3)));
                }
            }
        }
        return out;
    }

    /** Stores a plan, in the caller's transaction. */
    public void save(Connection c, List<Chunk> chunks) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (sync_name, source_table, relation,"
                + " chunk, lower_bound, upper_bound, rows_copied) VALUES (?, ?, ?, ?, ?, ?, 0)")) {
            for (Chunk k : chunks) {
                ps.setString(1, syncName);
                ps.setString(2, k.sourceTable());
                ps.setString(3, k.relation());
                ps.setInt(4, k.number());
                ps.setArray(
                        5,
                        k.lower() == null
                                ? null
                                : c.createArrayOf("text", k.lower().toArray()));
                ps.setArray(
                        6,
                        k.upper() == null
                                ? null
                                : c.createArrayOf("text", k.upper().toArray()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Marks a chunk done with its row count, in the caller's transaction (the one that wrote its rows). */
    public void markDone(Connection c, Chunk chunk, long rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE " + table + " SET rows_copied = ?,"
                        + " done_at = CURRENT_TIMESTAMP WHERE sync_name = ? AND relation = ? AND chunk = ? AND done_at IS NULL")) {
            ps.setLong(1, rows);
            ps.setString(2, syncName);
            ps.setString(3, chunk.relation());
            ps.setInt(4, chunk.number());
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException(chunk + " of sync " + syncName + " is missing from " + table
                        + " or already done: another process is copying it");
            }
        }
    }

    /**
     * The rows of {@code chunk} if it is marked done: after a connection lost with the chunk's commit unanswered, this
     * says whether the commit was made.
     */
    public OptionalLong rowsIfDone(Connection c, Chunk chunk) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT rows_copied FROM " + table
                + " WHERE sync_name = ? AND relation = ? AND chunk = ? AND done_at IS NOT NULL")) {
            ps.setString(1, syncName);
            ps.setString(2, chunk.relation());
            ps.setInt(3, chunk.number());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** Forgets the plan, in the caller's transaction: for a copy started over. */
    public void clear(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE sync_name = ?")) {
            ps.setString(1, syncName);
            ps.executeUpdate();
        }
    }

    private static List<String> bound(Array a) throws SQLException {
        return a == null ? null : Arrays.asList((String[]) a.getArray());
    }
}
