package io.pgferry.postgres;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Relation;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What the rows a source table held when a column was added read in that column, by column name: {@code ALTER TABLE
 * ... ADD COLUMN ... DEFAULT} with a non-volatile default stores the value once, as the column's "missing value", and
 * writes no row, so no change event carries it (PostgreSQL docs, "ALTER TABLE", Notes, and pg_attribute's {@code
 * atthasmissing} and {@code attmissingval}). The values are PostgreSQL's text, read as the stream renders values (the
 * driver's session settings), so that a destination that adds the column can give the rows it held the same value.
 * Read once per Relation, on one connection kept until {@link #close}; safe to call from several threads.
 */
public final class MissingValues implements Function<Relation, Map<String, String>>, AutoCloseable {
    private final Dsn source;
    private final Map<Relation, Map<String, String>> known = new ConcurrentHashMap<>();
    private Connection connection;

    public MissingValues(Dsn source) {
        this.source = source;
    }

    @Override
    public Map<String, String> apply(Relation relation) {
        Map<String, String> values = known.get(relation);
        if (values == null) {
            values = read(relation);
            known.putIfAbsent(relation, values);
        }
        return values;
    }

    /**
     * Reads on the kept connection; when that fails (the server may have closed it while it was idle), once more on
     * a new one, so that only a source that cannot be reached now is an error.
     */
    private synchronized Map<String, String> read(Relation relation) {
        try {
            try {
                return query(relation);
            } catch (SQLException first) {
                close();
                return query(relation);
            }
        } catch (SQLException e) {
            close();
            PgFerryException classified = Connections.classify(e, source);
            throw new PgFerryException(
                    "could not read the missing values of the columns of table " + relation.schema() + "."
                            + relation.table() + ": " + classified.problem(),
                    classified.fix(),
                    true,
                    e);
        }
    }

    private Map<String, String> query(Relation relation) throws SQLException {
        if (connection == null) {
            connection = Connections.open(source);
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT a.attname::text,"
                + " (a.attmissingval::text::text[])[1] FROM pg_catalog.pg_attribute a"
                + " WHERE a.attrelid = ? AND a.atthasmissing AND a.attnum > 0 AND NOT a.attisdropped")) {
            ps.setLong(1, Integer.toUnsignedLong(relation.oid()));
            Map<String, String> out = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(2) != null) {
                        out.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return Map.copyOf(out);
        }
    }

    @Override
    public synchronized void close() {
        Connections.closeQuietly(connection);
        connection = null;
    }
}
