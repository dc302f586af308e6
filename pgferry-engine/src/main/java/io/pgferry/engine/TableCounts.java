package io.pgferry.engine;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Changes applied per source table, for metrics: counted in the open batch by the applier thread, added to the
 * totals when the batch commits, dropped when it is abandoned, so a total only ever counts what the destination
 * holds. The batch is keyed by relation identity (the stream hands the same {@link Relation} object for a table
 * until its schema changes), and the last table is remembered, so counting costs a comparison per change.
 */
final class TableCounts {
    private final Map<String, AtomicLong> committed = new ConcurrentHashMap<>();
    private final IdentityHashMap<Relation, long[]> batch = new IdentityHashMap<>();
    private Relation last;
    private long[] lastCount;

    /** Counts an applied change of the open batch; applier thread only. */
    void count(ChangeEvent change) {
        Relation r = change instanceof ChangeEvent.Insert i
                ? i.relation()
                : change instanceof ChangeEvent.Update u
                        ? u.relation()
                        : change instanceof ChangeEvent.Delete d ? d.relation() : null;
        if (r == null) {
            return;
        }
        if (r != last) {
            last = r;
            lastCount = batch.computeIfAbsent(r, x -> new long[1]);
        }
        lastCount[0]++;
    }

    /** The open batch committed; applier thread only. */
    void commit() {
        batch.forEach((r, n) -> committed
                .computeIfAbsent(r.schema() + "." + r.table(), t -> new AtomicLong())
                .addAndGet(n[0]));
        abandon();
    }

    /** The open batch rolled back; applier thread only. */
    void abandon() {
        batch.clear();
        last = null;
        lastCount = null;
    }

    /** Tables with committed changes, as schema.table; any thread. */
    Set<String> tables() {
        return new TreeSet<>(committed.keySet());
    }

    /** Committed changes of {@code table} (schema.table); any thread. */
    long applied(String table) {
        AtomicLong n = committed.get(table);
        return n == null ? 0 : n.get();
    }
}
