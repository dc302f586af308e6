package io.pgferry.engine.copy;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.sink.MaskingStage;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.engine.schema.ColumnDef;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sync's {@link ValueMask} as the copy paths need it: per source table, the masks of its copied columns (with
 * the relation they are relative to), and the start-up check that no lossy mask sits on a key or unique column.
 * The stream's changes are masked by a {@link MaskingStage} instead; {@link #refuseAtStart} checks a mask for a
 * stream without a copy.
 */
public final class Masks {
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

    static final Masks NONE = new Masks(ValueMask.NONE);

    private final ValueMask mask;
    private final Map<TableName, Optional<Masked>> byTable = new ConcurrentHashMap<>();

    /** A table's masks and the relation (its copied columns, in copy order) their column numbers refer to. */
    record Masked(Relation relation, ValueMask.TableMask mask) {}

    public Masks(ValueMask mask) {
        this.mask = mask;
    }

    public boolean any() {
        return mask != ValueMask.NONE;
    }

    ValueMask valueMask() {
        return mask;
    }

    /** The masks of {@code t}'s copied columns, or null when none of them is masked. */
    Masked of(SourceTable t) {
        if (!any()) {
            return null;
        }
        return byTable.computeIfAbsent(t.name(), n -> {
                    Relation r = relation(t);
                    return Optional.ofNullable(mask.of(r, BuiltinTypes.builtin()))
                            .map(m -> new Masked(r, m));
                })
                .orElse(null);
    }

    /** The masks of a relation the copy already has (a foreign or Kafka copy's), or null. */
    public ValueMask.TableMask of(Relation r) {
        return any() ? mask.of(r, BuiltinTypes.builtin()) : null;
    }

    private static Relation relation(SourceTable t) {
        List<Column> cols = new ArrayList<>();
        for (ColumnDef c : t.copyColumns()) {
            cols.add(new Column(
                    c.name(), c.typeOid(), c.typeModifier(), t.primaryKey().contains(c.name())));
        }
        return new Relation((int) t.oid(), t.name().schema(), t.name().name(), ReplicaIdentity.DEFAULT, cols);
    }

    /**
     * Refuses, before anything is created, a lossy mask (partial, fixed, redact) on a primary-key or unique column:
     * it would merge distinct rows at the target.
     */
    public void refuseLossyKeys(Connection source, List<SourceTable> tables) throws SQLException {
        if (!any()) {
            return;
        }
        for (SourceTable t : tables) {
            Masked m = of(t);
            if (m != null) {
                refuseLossyKeys(source, t.name(), t.oid(), m);
            }
        }
    }

    /**
     * The start-up check of a stream that masks {@code tables} as they are in the source's catalog now: {@code mask}
     * must take every column it names (a text transform only on text), and put no lossy transform on a key or unique
     * column, which would merge distinct rows wherever the changes are applied by key. A table the catalog lacks is
     * left to the stream to report.
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
                refuseLossyKeys(source, t, oid, new Masked(r, m));
            }
        }
    }

    private static void refuseLossyKeys(Connection source, TableName table, long oid, Masked m) throws SQLException {
        Set<String> unique = new HashSet<>();
        try (PreparedStatement ps = source.prepareStatement(UNIQUE_COLUMNS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    unique.add(rs.getString(1));
                }
            }
        }
        List<Column> cols = m.relation().columns();
        for (int i = 0; i < cols.size(); i++) {
            if (m.mask().masks(i)
                    && m.mask().lossy(i)
                    && unique.contains(cols.get(i).name())) {
                throw PgFerryException.fatal(
                        "the mask of " + table + "." + cols.get(i).name() + " can map two values to one, and"
                                + " the column is a key or unique: rows would merge where changes are applied by key",
                        "mask it with a keyed hash (transform: hash), or leave it unmasked");
            }
        }
    }
}
