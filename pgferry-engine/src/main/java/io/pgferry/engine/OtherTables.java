package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.sink.Stage;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.postgres.catalog.TableName;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stage of a sync: leaves out the changes of tables that are not the sync's. A publication may publish more
 * than the sync's tables: one of the user's {@code FOR ALL TABLES} or {@code FOR TABLES IN SCHEMA} publishes every
 * table, and pgferry's own still publishes, until the stream passes the point where a start took them out of it, the
 * tables that left the sync ({@link RemovedTables}). Before, the first such change stopped the sync ("a change arrived
 * for table ..., which this sync does not copy"), and a Kafka destination published the changes of tables its patterns
 * excluded. Issue 5.
 *
 * <p>A table is the sync's by its name. A change of one of the sync's tables under another name (its OID is the
 * sync's, PostgreSQL docs, "Logical Replication Message Formats", Relation) was made before a rename. A table this
 * start adds under its new name holds such changes in its copy when they precede the point its definition was read
 * ({@link SourceTable#readAt}): a rename waits for the transactions writing the table to end, so they committed before
 * it, and it before the read, and the read before the copy's snapshot. Any other such change means a rename the sync
 * cannot follow, while streaming or while it was stopped: that stops the sync rather than leave its changes out, as
 * does a change of one of its partitioned tables arriving under a partition's name. Each table left out is logged
 * once. Used on the applier's thread only.
 */
final class OtherTables implements Stage {
    private static final Logger log = LoggerFactory.getLogger(OtherTables.class);

    private final Set<TableName> names = new HashSet<>();
    private final Map<Integer, SourceTable> byOid = new HashMap<>();
    private final Set<TableName> adding;
    /** The last Relation found to be the sync's, by OID: a change carrying the same instance needs no look-up. */
    private final Map<Integer, Relation> ours = new HashMap<>();

    private final Set<TableName> warned = new HashSet<>();
    private final String sync;
    private final String publication;

    /** Takes tables created while the sync runs, from their first change: a Kafka sync's, matched by its patterns. */
    private final Predicate<TableName> takesNew;
    /** The OIDs of the tables the source held when the sync started: none of them is new. */
    private final Set<Integer> existing;

    /**
     * @param tables the sync's tables
     * @param adding those of them this start adds, copied after their definitions were read
     */
    OtherTables(List<SourceTable> tables, Collection<TableName> adding, String sync, String publication) {
        this(tables, adding, t -> false, Set.of(), sync, publication);
    }

    /**
     * @param takesNew the tables outside {@code tables} whose changes pass too, when they are new: a destination that
     *     takes a table created while it runs from its first change (Kafka, whose tables are those its publication
     *     publishes)
     * @param existing the OIDs of the tables the source held before the sync's tables were read: a table among them
     *     that {@code takesNew} matches was renamed into the patterns (or out of an exclusion) after they were read,
     *     so its rows were never copied; its changes are left out, and the next start adds it with its rows
     */
    OtherTables(
            List<SourceTable> tables,
            Collection<TableName> adding,
            Predicate<TableName> takesNew,
            Set<Integer> existing,
            String sync,
            String publication) {
        this.takesNew = takesNew;
        this.existing = Set.copyOf(existing);
        for (SourceTable t : tables) {
            names.add(t.name());
            for (SourceTable.Leaf leaf : t.leaves()) {
                byOid.put((int) leaf.oid(), t);
            }
            byOid.put((int) t.oid(), t);
        }
        this.adding = Set.copyOf(adding);
        this.sync = sync;
        this.publication = publication;
    }

    @Override
    public ChangeEvent process(ChangeEvent change) {
        if (change instanceof ChangeEvent.Insert i) {
            return ours(i.relation(), i.lsn()) ? change : null;
        }
        if (change instanceof ChangeEvent.Update u) {
            return ours(u.relation(), u.lsn()) ? change : null;
        }
        if (change instanceof ChangeEvent.Delete d) {
            return ours(d.relation(), d.lsn()) ? change : null;
        }
        if (change instanceof ChangeEvent.Truncate t) {
            return t.keeping(r -> ours(r, t.lsn()));
        }
        return change;
    }

    private boolean ours(Relation r, Lsn lsn) {
        if (ours.get(r.oid()) == r) {
            return true;
        }
        TableName name = new TableName(r.schema(), r.table());
        if (names.contains(name)) {
            ours.put(r.oid(), r);
            return true;
        }
        SourceTable now = byOid.get(r.oid());
        if (now != null && now.oid() != (r.oid() & 0xFFFFFFFFL)) {
            throw PgFerryException.fatal(
                    "a change of partitioned table " + now.name() + " of sync " + sync + " arrived under the name"
                            + " of its partition " + name + ": publication " + publication + " publishes it through its"
                            + " partitions",
                    "run ALTER PUBLICATION " + publication + " SET (publish_via_partition_root = true), then start"
                            + " the sync again");
        }
        if (now != null) {
            if (adding.contains(now.name()) && lsn.isBefore(now.readAt())) {
                return false; // made under its old name, and held in its copy
            }
            throw PgFerryException.fatal(
                    "source table " + now.name() + " of sync " + sync + " was renamed to " + name
                            + " while the sync streamed it",
                    "start the sync again: a start whose table patterns match " + name
                            + " adds it under that name, copied afresh");
        }
        if (!existing.contains(r.oid()) && takesNew.test(name)) {
            ours.put(r.oid(), r);
            return true;
        }
        if (warned.add(name)) {
            log.warn(
                    "publication {} publishes table {}, which is not one of the tables of sync {}: its changes are"
                            + " left out (a start of the sync adds a table its patterns match, with its rows)",
                    publication,
                    name,
                    sync);
        }
        return false;
    }
}
