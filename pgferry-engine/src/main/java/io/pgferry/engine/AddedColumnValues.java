package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Relation;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What the rows a source table already held read in a column added to it while streaming. {@code ALTER TABLE ... ADD
 * COLUMN ... DEFAULT} with a non-volatile default stores the value once, as the column's "missing value", and writes
 * no row, so the change stream never carries it (PostgreSQL docs, "ALTER TABLE", Notes, and pg_attribute's
 * {@code atthasmissing}/{@code attmissingval}); the destination must give its existing rows the same value. A volatile
 * default rewrites the table with a value per row, which the stream does not carry either: then there is no single
 * value, and the caller warns. Opens one short connection to the source per added column.
 */
final class AddedColumnValues {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AddedColumnValues.class);

    /** What existing rows hold: {@code value} in PostgreSQL's text form, null for NULL. */
    record Existing(String value) {}

    private final Dsn source;

    AddedColumnValues(Dsn source) {
        this.source = source;
    }

    /**
     * The value the existing rows of {@code relation}'s table read in {@code column}, or empty when they may hold
     * different values (a default evaluated per row) that no change carries.
     */
    Optional<Existing> of(Relation relation, String column) {
        try (Connection c = Connections.open(source);
                PreparedStatement st = c.prepareStatement("SELECT a.atthasmissing,"
                        + " (a.attmissingval::text::text[])[1], d.adrelid IS NOT NULL"
                        + " FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d"
                        + " ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                        + " WHERE a.attrelid = ? AND a.attname = ? AND NOT a.attisdropped")) {
            st.setLong(1, relation.oid() & 0xffffffffL);
            st.setString(2, column);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    // Dropped again since: later changes stop the sync with their own error.
                    return Optional.of(new Existing(null));
                }
                if (rs.getBoolean(1)) {
                    return Optional.of(new Existing(rs.getString(2)));
                }
                return rs.getBoolean(3) ? Optional.empty() : Optional.of(new Existing(null));
            }
        } catch (SQLException e) {
            throw PgFerryException.retriable(
                    "could not read the default of column " + column + " added to source table " + relation.schema()
                            + "." + relation.table() + ": " + e.getMessage(),
                    "check the connection to the source; the sync retries",
                    e);
        }
    }

    static void warnUnknown(Relation relation, String column) {
        LOG.warn(
                "column {} added to source table {}.{} has a default that the source may have computed row by row"
                        + " (a volatile default rewrites the table, and the change stream carries none of it): the"
                        + " target's existing rows hold NULL there; copy the table again, or find and repair them with"
                        + " pgferry diff",
                column,
                relation.schema(),
                relation.table());
    }
}
