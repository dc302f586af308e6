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
import io.pgferry.postgres.admin.MaskChecks;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sync's {@link ValueMask} as the copy paths need it: per source table, the masks of its copied columns (with
 * the relation they are relative to), and the start-up check that no lossy mask sits on a key or unique column.
 * The stream's changes are masked by a {@link MaskingStage} instead.
 */
public final class Masks {
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

    /**
     * Refuses, before anything is created, a mask on a primary-key column of a table copied in chunks: the chunks'
     * bounds and marks are key values kept at the target (they are read back to query the source), so they would
     * carry the unmasked values there.
     */
    public void refuseMaskedChunkKeys(List<SourceTable> tables) {
        for (SourceTable t : tables) {
            Masked m = of(t);
            if (m == null) {
                continue;
            }
            List<Column> cols = m.relation().columns();
            for (int i = 0; i < cols.size(); i++) {
                if (cols.get(i).key() && m.mask().masks(i)) {
                    throw PgFerryException.fatal(
                            "key column " + cols.get(i).name() + " of table " + t.name() + " is masked, and a chunked"
                                    + " copy keeps its chunks' key values at the target unmasked",
                            "use copy mode snapshot, or leave the key column unmasked");
                }
            }
        }
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
                MaskChecks.refuseLossyKeys(
                        source, t.name(), t.oid(), m.relation().columns(), m.mask());
            }
        }
    }
}
