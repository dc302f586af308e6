package io.pgferry.jdbc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.pgferry.core.sink.ChunkMark;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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
 * once, before the first chunk is copied, and a chunk's mark commits in the same transaction as its rows. So after a
 * crash the rows at the destination are exactly those the marks count, and the copy resumes where they end.
 *
 * <p>Into PostgreSQL a chunk commits whole ({@link #markDone}). Into another database it commits in batches, each
 * moving the chunk's mark on to the key of its last row ({@link #markSoFar}), so that a chunk cut short resumes
 * after that key: the chunk is read in key order, and what changed meanwhile below that key is in the slot, which
 * the replay after the copy applies.
 *
 * <p>Bounds are key values in the source's text form: text arrays at PostgreSQL, JSON arrays of strings elsewhere.
 * They are row values: never logged.
 */
public final class CopyChunks {
    private static final JsonFactory JSON = new JsonFactory();

    private final String table;
    private final String syncName;
    private final String now;
    /** Bounds as JSON text: the destination has no arrays. */
    private final boolean json;

    /**
     * One chunk: the rows of {@code relation} whose key is at least {@code lower} and below {@code upper}; a null
     * bound is open.
     *
     * @param rows the rows copied: all of them once done, else those committed so far
     * @param after the key of the last row committed of a chunk cut short, which resumes after it; else null
     */
    public record Chunk(
            String sourceTable,
            String relation,
            int number,
            List<String> lower,
            List<String> upper,
            long rows,
            boolean done,
            List<String> after) {

        /** A chunk with no batch committed, or one that commits whole. */
        public Chunk(
                String sourceTable,
                String relation,
                int number,
                List<String> lower,
                List<String> upper,
                long rows,
                boolean done) {
            this(sourceTable, relation, number, lower, upper, rows, done, null);
        }

        @Override
        public String toString() {
            return relation + " chunk " + number;
        }
    }

    public CopyChunks(Dialect dialect, String schema, String syncName) {
        this.table = dialect.catalogTable(schema, "copy_chunk");
        this.syncName = syncName;
        this.now = dialect.now();
        this.json = !(dialect instanceof PostgresDialect);
    }

    /** The stored plan in relation and chunk order, or an empty list when none was stored. */
    public List<Chunk> load(Connection c) throws SQLException {
        List<Chunk> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT source_table, relation, chunk, lower_bound,"
                + " upper_bound, rows_copied, CASE WHEN done_at IS NULL THEN 0 ELSE 1 END"
                + (json ? ", last_key" : "") + " FROM " + table + " WHERE sync_name = ? ORDER BY relation, chunk")) {
            ps.setString(1, syncName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Chunk(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getInt(3),
                            bound(rs, 4),
                            bound(rs, 5),
                            rs.getLong(6),
                            rs.getInt(7) == 1,
                            json ? bound(rs, 8) : null));
                }
            }
        }
        return out;
    }

    /** One chunk as stored, as {@link #load} reads it: after a failure, how far it is. */
    public Chunk reload(Connection c, Chunk chunk) throws SQLException {
        for (Chunk k : load(c)) {
            if (k.relation().equals(chunk.relation()) && k.number() == chunk.number()) {
                return k;
            }
        }
        throw new IllegalStateException(chunk + " of sync " + syncName + " is missing from " + table);
    }

    /** How far a table's chunks are. */
    public record Progress(int done, int total) {}

    /** Chunks done and planned per source table; empty when no chunked copy was planned. */
    public Map<String, Progress> progress(Connection c) throws SQLException {
        Map<String, Progress> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT source_table, SUM(CASE WHEN done_at IS NULL THEN 0"
                + " ELSE 1 END), count(*) FROM " + table + " WHERE sync_name = ? GROUP BY source_table ORDER BY 1")) {
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
                setBound(c, ps, 5, k.lower());
                setBound(c, ps, 6, k.upper());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Marks a chunk done with its row count, in the caller's transaction (the one that wrote its rows). */
    public void markDone(Connection c, Chunk chunk, long rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET rows_copied = ?," + " done_at = " + now
                + " WHERE sync_name = ? AND relation = ? AND chunk = ? AND done_at IS NULL")) {
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
     * Moves a chunk's mark on to the rows committed so far and the key of the last of them, and marks it done when it
     * is whole; in the caller's transaction (the one that wrote those rows). Not for PostgreSQL's catalog.
     */
    public void markSoFar(Connection c, ChunkMark mark) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET rows_copied = ?, last_key = ?"
                + (mark.done() ? ", done_at = " + now : "")
                + " WHERE sync_name = ? AND relation = ? AND chunk = ? AND done_at IS NULL")) {
            ps.setLong(1, mark.rows());
            ps.setString(2, mark.lastKey() == null ? null : toJson(mark.lastKey()));
            ps.setString(3, syncName);
            ps.setString(4, mark.relation());
            ps.setInt(5, mark.chunk());
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException(mark + " of sync " + syncName + " is missing from " + table
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

    private List<String> bound(ResultSet rs, int column) throws SQLException {
        if (!json) {
            Array a = rs.getArray(column);
            return a == null ? null : Arrays.asList((String[]) a.getArray());
        }
        String text = rs.getString(column);
        return text == null ? null : fromJson(text);
    }

    private void setBound(Connection c, PreparedStatement ps, int index, List<String> values) throws SQLException {
        if (json) {
            ps.setString(index, values == null ? null : toJson(values));
        } else {
            ps.setArray(index, values == null ? null : c.createArrayOf("text", values.toArray()));
        }
    }

    static String toJson(List<String> values) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static List<String> fromJson(String text) {
        List<String> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalStateException("a chunk bound is not a JSON array");
            }
            while (p.nextToken() == JsonToken.VALUE_STRING) {
                out.add(p.getText());
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                throw new IllegalStateException("a chunk bound holds something other than strings");
            }
        } catch (IOException e) {
            // Without the parser's error, which quotes the text: a bound is a row value.
            throw new IllegalStateException("a chunk bound is not valid JSON");
        }
        return out;
    }
}
