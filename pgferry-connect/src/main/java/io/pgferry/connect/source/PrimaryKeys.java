package io.pgferry.connect.source;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The primary key of a table with {@code REPLICA IDENTITY FULL}, read from the source's catalog: pgoutput flags every
 * column of such a table as part of its identity (PostgreSQL docs, "Logical Replication Message Formats", Relation),
 * so the Relation alone cannot give its records the key {@code pgferry sync} into Kafka gives them. Read once per
 * table, on a connection of its own, when its first Relation arrives; other identities need no lookup (null: the
 * Relation's key flags hold). Used on the stream's thread.
 */
final class PrimaryKeys implements Function<Relation, List<String>> {
    private final Dsn source;
    /** By table OID: the key columns, or empty for a table without a primary key. */
    private final Map<Integer, Optional<List<String>>> known = new ConcurrentHashMap<>();

    PrimaryKeys(Dsn source) {
        this.source = source;
    }

    @Override
    public List<String> apply(Relation relation) {
        if (relation.replicaIdentity() != ReplicaIdentity.FULL) {
            return null;
        }
        return known.computeIfAbsent(relation.oid(), oid -> read(relation)).orElse(null);
    }

    private Optional<List<String>> read(Relation relation) {
        try (Connection c = Connections.open(source);
                PreparedStatement ps = c.prepareStatement("SELECT array_agg(a.attname::text ORDER BY k.ord)"
                        + " FROM pg_catalog.pg_index i"
                        + " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)"
                        + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                        + " WHERE i.indrelid = ? AND i.indisprimary")) {
            ps.setLong(1, Integer.toUnsignedLong(relation.oid()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Array names = rs.getArray(1);
                return names == null ? Optional.empty() : Optional.of(Arrays.asList((String[]) names.getArray()));
            }
        } catch (SQLException e) {
            PgFerryException classified = Connections.classify(e, source);
            throw new PgFerryException(
                    "could not read the primary key of table " + relation.schema() + "." + relation.table()
                            + ", which has replica identity FULL: " + classified.problem(),
                    classified.fix(),
                    classified.isRetriable(),
                    e);
        }
    }
}
