package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.sink.Stage;
import io.pgferry.postgres.catalog.TableName;
import java.util.Map;

/**
 * The changes a sync leaves out because the target holds them already: those of a table added to the running sync
 * ({@link AddedTables}) in transactions that committed before the snapshot its rows were copied from. A transaction
 * that committed before a snapshot's consistent point is in the snapshot, one that committed after is not (PostgreSQL
 * docs, "Streaming Replication Protocol", CREATE_REPLICATION_SLOT), so a change applies when its transaction's commit
 * position is at or after that point, as a subscription's apply worker decides for a table its table synchronization
 * worker copied. Immutable; used on the applier's thread.
 */
final class AppliedFrom {
    static final AppliedFrom NONE = new AppliedFrom(Map.of());

    private final Map<TableName, Lsn> from;
    private final Lsn latest;

    /** @param from for each added table, the consistent point of the snapshot its rows were copied from */
    AppliedFrom(Map<TableName, Lsn> from) {
        this.from = Map.copyOf(from);
        Lsn max = Lsn.INVALID;
        for (Lsn l : from.values()) {
            max = l.isAfter(max) ? l : max;
        }
        this.latest = max;
    }

    /** The stage that leaves out the changes a transaction committed at {@code commitLsn} must not apply again. */
    Stage at(Lsn commitLsn) {
        if (from.isEmpty() || !commitLsn.isBefore(latest)) {
            return Stage.IDENTITY;
        }
        return change -> held(change, commitLsn);
    }

    private ChangeEvent held(ChangeEvent change, Lsn commitLsn) {
        if (change instanceof ChangeEvent.Insert i) {
            return holds(i.relation(), commitLsn) ? null : change;
        }
        if (change instanceof ChangeEvent.Update u) {
            return holds(u.relation(), commitLsn) ? null : change;
        }
        if (change instanceof ChangeEvent.Delete d) {
            return holds(d.relation(), commitLsn) ? null : change;
        }
        if (change instanceof ChangeEvent.Truncate t) {
            // A TRUNCATE of several tables goes on for the others: the copied rows are those after it.
            return t.keeping(r -> !holds(r, commitLsn));
        }
        return change;
    }

    private boolean holds(Relation r, Lsn commitLsn) {
        Lsn f = from.get(new TableName(r.schema(), r.table()));
        return f != null && commitLsn.isBefore(f);
    }
}
