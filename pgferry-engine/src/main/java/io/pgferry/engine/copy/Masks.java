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
 * The stream's changes are masked by a {@link MaskingStage} instead.
 */
public final class Masks {
    /** The columns of every unique index of a table (the primary key's included). */
    private static final String UNIQUE_COLUMNS = "SELECT DISTINCT a.attname FROM pg_catalog.pg_index i"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            + " WHERE i.indrelid = ? AND i.indisunique";

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
            if (m == null) {
                continue;
            }
            Set<String> unique = new HashSet<>(t.primaryKey());
            try (PreparedStatement ps = source.prepareStatement(UNIQUE_COLUMNS)) {
                ps.setLong(1, t.oid());
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
                            "the mask of " + t.name() + "." + cols.get(i).name() + " can map two values to one, and"
                                    + " the column is a key or unique: rows would merge at the target",
                            "mask it with a keyed hash (transform: hash), or leave it unmasked");
                }
            }
        }
    }
}
