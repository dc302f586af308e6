package io.pgferry.scan;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Relation;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The primary key of a REPLICA IDENTITY FULL table, from the catalog, once per table and schema change: what a
 * finding names as the row's key there, instead of every column. A table without a primary key has none (the
 * finding then carries no key rather than a row's worth of values).
 */
final class PrimaryKeys implements KeyColumns, AutoCloseable {
    private static final String QUERY = "SELECT a.attname FROM pg_catalog.pg_index i"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            + " WHERE i.indrelid = ? AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)";

    private final Dsn source;
    private final Map<Relation, List<String>> known = new ConcurrentHashMap<>();
    private Connection connection;

    PrimaryKeys(Dsn source) {
        this.source = source;
    }

    @Override
    public List<String> of(Relation relation) {
        return known.computeIfAbsent(relation, this::query);
    }

    private synchronized List<String> query(Relation relation) {
        try {
            if (connection == null || connection.isClosed()) {
                connection = Connections.open(source);
            }
            try (PreparedStatement st = connection.prepareStatement(QUERY)) {
                st.setInt(1, relation.oid());
                List<String> names = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
                return List.copyOf(names);
            }
        } catch (SQLException e) {
            throw PgFerryException.retriable(
                    "cannot read the primary key of " + relation + ": " + e.getMessage(),
                    "check the connection to the source",
                    e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            // Closing a catalog connection at the end of a scan: nothing to lose.
        }
    }
}
