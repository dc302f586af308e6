package io.pgferry.scan;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import java.util.List;

/**
 * The columns that identify a row in a finding. The stream marks replica identity columns as keys, and under
 * REPLICA IDENTITY FULL that is every column (pgsense-rs copied them all into its alerts, excluded ones too): such a
 * table's real key must come from the catalog instead.
 */
@FunctionalInterface
public interface KeyColumns {
    /** The key column names of the table, in table order; empty when it has none. */
    List<String> of(Relation relation);

    /**
     * The replica identity columns, except under REPLICA IDENTITY FULL, where {@code full} answers (the primary key
     * from the catalog, say).
     */
    static KeyColumns replicaIdentityOr(KeyColumns full) {
        return relation -> relation.replicaIdentity() == ReplicaIdentity.FULL
                ? full.of(relation)
                : relation.columns().stream()
                        .filter(Column::key)
                        .map(Column::name)
                        .toList();
    }
}
