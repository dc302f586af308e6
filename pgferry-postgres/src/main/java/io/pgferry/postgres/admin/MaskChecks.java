package io.pgferry.postgres.admin;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The start-up checks of a {@link ValueMask} against the source's catalog, before a slot or anything downstream is
 * created: every column it names must take its transform (a text transform only on text), and no lossy transform may
 * sit on a key or unique column, which would merge distinct rows wherever the changes are applied by key.
 */
public final class MaskChecks {
    /** The columns of every unique index of a table (the primary key's included). */
    private static final String UNIQUE_COLUMNS = "SELECT DISTINCT a.attname FROM pg_catalog.pg_index i"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            + " WHERE i.indrelid = ? AND i.indisunique";

    /** A table's oid and the columns logical replication sends, in their order (no dropped or generated ones). */
    private static final String COLUMNS = "SELECT c.oid, a.attname, a.atttypid, a.atttypmod FROM pg_catalog.pg_class c"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
            + " WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''"
            + " ORDER BY a.attnum";

    private MaskChecks() {}

    /**
     * Checks {@code mask} against {@code tables} as they are in the catalog now. A table the catalog lacks is left
     * to the stream to report.
     *
     * @throws PgFerryException (fatal) naming the table, the column and the fix
     */
    public static void refuseAtStart(Connection source, ValueMask mask, List<TableName> tables) throws SQLException {
        for (TableName t : tables) {
            long oid = 0;
            List<Column> cols = new ArrayList<>();
            try (PreparedStatement ps = source.prepareStatement(COLUMNS)) {
                ps.setString(1, t.schema());
                ps.setString(2, t.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        oid = rs.getLong(1);
                        cols.add(new Column(rs.getString(2), rs.getInt(3), rs.getInt(4), false));
                    }
                }
            }
            if (cols.isEmpty()) {
                continue;
            }
            Relation r = new Relation((int) oid, t.schema(), t.name(), ReplicaIdentity.DEFAULT, cols);
            ValueMask.TableMask m = mask.of(r, BuiltinTypes.builtin());
            if (m != null) {
                refuseLossyKeys(source, t, oid, r.columns(), m);
            }
        }
    }

    /**
     * Refuses a lossy transform of {@code m} on a key or unique column of table {@code oid}; {@code columns} are the
     * columns {@code m}'s numbers refer to.
     *
     * @throws PgFerryException (fatal) naming the column and the fix
     */
    public static void refuseLossyKeys(
            Connection source, TableName table, long oid, List<Column> columns, ValueMask.TableMask m)
            throws SQLException {
        Set<String> unique = new HashSet<>();
        try (PreparedStatement ps = source.prepareStatement(UNIQUE_COLUMNS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    unique.add(rs.getString(1));
                }
            }
        }
        for (int i = 0; i < columns.size(); i++) {
            if (m.masks(i) && m.lossy(i) && unique.contains(columns.get(i).name())) {
                throw PgFerryException.fatal(
                        "the mask of " + table + "." + columns.get(i).name() + " can map two values to one, and"
                                + " the column is a key or unique: rows would merge where changes are applied by key",
                        "mask it with a keyed hash (transform: hash), or leave it unmasked");
            }
        }
    }
}
