package io.pgferry.engine.copy;

import io.pgferry.engine.schema.PgSql;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.CopyChunks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits each relation of {@link io.pgferry.engine.config.CopyMode#CHUNKED} into key ranges of about {@code chunkRows}
 * rows. A relation the planner estimates under {@link #SAMPLE_ABOVE_CHUNKS} chunks (or never analyzed) gets exact
 * bounds: every {@code chunkRows}-th key in key order, from one ordered scan of the key. A larger one gets bounds from
 * a block sample ({@code TABLESAMPLE SYSTEM}, see the PostgreSQL docs, "SELECT", TABLESAMPLE), about {@link
 * #SAMPLE_PER_CHUNK} keys a chunk, so that planning does not read the whole table. Any bounds are correct (the chunks
 * cover the whole key space, see {@link KeyRange}); the sample only makes their sizes approximate.
 */
final class ChunkPlanner {
    static final int SAMPLE_ABOVE_CHUNKS = 20;
    static final int SAMPLE_PER_CHUNK = 100;

    private static final String KEY_TYPES =
            "SELECT pg_catalog.format_type(a.atttypid, NULL) FROM pg_catalog.pg_attribute a"
                    + " WHERE a.attrelid = ? AND a.attname = ?";

    private final Connection source;
    private final int chunkRows;

    /** Plans on {@code source}, whose search_path it sets to pg_catalog alone. */
    ChunkPlanner(Connection source, int chunkRows) throws SQLException {
        this.source = source;
        this.chunkRows = chunkRows;
        try (Statement st = source.createStatement()) {
            st.execute("SET search_path = pg_catalog");
        }
    }

    /** The source types of the table's primary key columns, schema-qualified unless built in. */
    List<String> keyTypes(SourceTable t) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = source.prepareStatement(KEY_TYPES)) {
            for (String column : t.primaryKey()) {
                ps.setLong(1, t.oid());
                ps.setString(2, column);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** The chunks of one relation, numbered from 0. */
    List<CopyChunks.Chunk> plan(SourceTable t, SourceTable.Leaf leaf) throws SQLException {
        long estimate = leaf.estimatedRows();
        long chunks = estimate < 0 ? 0 : (estimate + chunkRows - 1) / chunkRows;
        List<List<String>> bounds = chunks < SAMPLE_ABOVE_CHUNKS
                ? exactBounds(t, leaf)
                : quantiles(sample(t, leaf, estimate, chunks), (int) Math.min(Integer.MAX_VALUE, chunks));
        return chunks(t.name().toString(), leaf.qualified(), bounds);
    }

    private List<List<String>> exactBounds(SourceTable t, SourceTable.Leaf leaf) throws SQLException {
        String key = keyList(t, "");
        String sql = "SELECT " + keyList(t, "::text") + " FROM (SELECT " + key + ", pg_catalog.row_number() OVER"
                + " (ORDER BY " + key + ") AS pgferry_n FROM ONLY " + leaf.qualified() + ") s"
                + " WHERE pgferry_n % ? = 1 AND pgferry_n > 1 ORDER BY pgferry_n";
        try (PreparedStatement ps = source.prepareStatement(sql)) {
            ps.setLong(1, chunkRows);
            return keys(ps, t.primaryKey().size());
        }
    }

    private List<List<String>> sample(SourceTable t, SourceTable.Leaf leaf, long estimate, long chunks)
            throws SQLException {
        double percent = Math.min(100.0, 100.0 * chunks * SAMPLE_PER_CHUNK / estimate);
        // Ordered by the columns themselves (s.k), not by the text output columns of the same names.
        String sql = "SELECT " + keyList(t, "::text") + " FROM ONLY " + leaf.qualified()
                + " s TABLESAMPLE SYSTEM (?) ORDER BY " + keyList(t, "", "s.");
        try (PreparedStatement ps = source.prepareStatement(sql)) {
            ps.setDouble(1, percent);
            return keys(ps, t.primaryKey().size());
        }
    }

    private static List<List<String>> keys(PreparedStatement ps, int width) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                List<String> key = new ArrayList<>(width);
                for (int i = 1; i <= width; i++) {
                    key.add(rs.getString(i));
                }
                out.add(key);
            }
        }
        return out;
    }

    private static String keyList(SourceTable t, String suffix) {
        return keyList(t, suffix, "");
    }

    private static String keyList(SourceTable t, String suffix, String qualifier) {
        StringBuilder s = new StringBuilder();
        for (String column : t.primaryKey()) {
            s.append(s.length() == 0 ? "" : ", ")
                    .append(qualifier)
                    .append(PgSql.quote(column))
                    .append(suffix);
        }
        return s.toString();
    }

    /**
     * {@code chunks - 1} bounds spread evenly over a sorted sample, without repeats; fewer when the sample is
     * smaller.
     */
    static List<List<String>> quantiles(List<List<String>> sorted, int chunks) {
        List<List<String>> out = new ArrayList<>();
        if (sorted.isEmpty() || chunks < 2) {
            return out;
        }
        for (int i = 1; i < chunks; i++) {
            int index = (int) ((long) i * sorted.size() / chunks);
            if (index == 0) {
                continue;
            }
            List<String> bound = sorted.get(index);
            if (out.isEmpty() || !out.get(out.size() - 1).equals(bound)) {
                out.add(bound);
            }
        }
        return out;
    }

    /** The chunks between consecutive bounds: open below the first bound and above the last. */
    static List<CopyChunks.Chunk> chunks(String sourceTable, String relation, List<List<String>> bounds) {
        List<CopyChunks.Chunk> out = new ArrayList<>();
        List<String> lower = null;
        for (List<String> bound : bounds) {
            out.add(new CopyChunks.Chunk(sourceTable, relation, out.size(), lower, bound, 0, false));
            lower = bound;
        }
        out.add(new CopyChunks.Chunk(sourceTable, relation, out.size(), lower, null, 0, false));
        return out;
    }
}
