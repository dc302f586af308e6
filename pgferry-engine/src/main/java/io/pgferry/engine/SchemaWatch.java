package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.TableFailure;
import io.pgferry.engine.config.DdlMode;
import io.pgferry.engine.schema.ColumnDef;
import io.pgferry.engine.schema.SourceCatalog;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.postgres.catalog.TableName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Notices a source table's definition changing while streaming: the server sends a new Relation message before the
 * first change made under the new definition (PostgreSQL docs, "Logical Streaming Replication Protocol", Relation).
 * A column added with a built-in type is added at the target ({@link DdlMode#APPLY}) or stops the sync ({@link
 * DdlMode#STOP}); a column dropped, renamed or retyped always stops it, naming the table and the column. Nothing is
 * ever ignored. Runs on the apply thread.
 *
 * <p><b>Delivered again.</b> After a failure the stream delivers again every transaction not acknowledged ({@link
 * #rewind()}), which may begin before the one that added a column: their Relation messages lack it, which is not a
 * drop. And the target may hold the column already (DDL commits at once in MariaDB and MySQL) while the rows those
 * transactions insert again get NULL in it, or may have lost it with the rolled-back batch (PostgreSQL). So the first
 * change delivered again that shows the column, at or before the transaction that added it, gives it to the sink once
 * more: the sink adds what is missing and fills the NULLs with the value the source's existing rows hold. Later
 * transactions never refill: their NULLs were written by the source.
 *
 * <p><b>Changed while the sync was down.</b> The columns known at the start are the source's as they are now, read
 * after WAL position {@link SourceTable#readAt}, which may be ahead of the position the stream resumes from. A
 * transaction committed before that position may show a table as it was before a change made meanwhile: a column
 * added later is missing from its Relation, a column retyped later has its old type. Neither is a change while
 * streaming. The first Relation to show such a column after one that lacked it is where it was added, and gives it to
 * the sink as above, so that the rows the target held, or got from the transactions before, read what the source's
 * rows read. A transaction committed at or after that position was made under the definition read or a later one, so
 * any difference there is a change while streaming, even for a table with no change since the start.
 */
final class SchemaWatch {
    /**
     * A column a synced table is known to have (name, type and type modifier; the key flag is not compared).
     * {@code addedAt} is the commit position of the transaction that first showed it after one that lacked it,
     * INVALID for a column there before the stream's start; {@code givenIn} the delivery ({@link #deliveries}) in
     * which the sink was last given it. A column known at the start stays {@code unseen} until a Relation shows it,
     * and {@code lacked} tells whether one lacked it before.
     */
    private static final class Known {
        final String name;
        final int typeOid;
        final int typeModifier;
        Lsn addedAt;
        int givenIn;
        boolean unseen;
        boolean lacked;

        Known(String name, int typeOid, int typeModifier, Lsn addedAt, int givenIn, boolean unseen) {
            this.name = name;
            this.typeOid = typeOid;
            this.typeModifier = typeModifier;
            this.addedAt = addedAt;
            this.givenIn = givenIn;
            this.unseen = unseen;
        }

        /** Whether a transaction committed at {@code commitLsn} may come from before this column was added. */
        boolean mayPredate(Lsn commitLsn) {
            return addedAt.isValid() && !commitLsn.isAfter(addedAt);
        }
    }

    private final Map<TableName, List<Known>> known = new HashMap<>();
    /** For each synced table, the WAL position its definition was read after ({@link SourceTable#readAt}). */
    private final Map<TableName, Lsn> readAt = new HashMap<>();
    /**
     * The last Relation checked for each table OID, in transactions committed before the table's definition was read
     * ({@code checkedOlder}) and after; a change carrying the same instance needs no check. Kept apart because an
     * older transaction tolerates differences a later one does not.
     */
    private final Map<Integer, Relation> checked = new HashMap<>();

    private final Map<Integer, Relation> checkedOlder = new HashMap<>();

    private final DdlMode mode;
    private final AddedColumnValues existing;
    /** Counts the deliveries: the first, then one more at each {@link #rewind()}. */
    private int deliveries;

    /** {@code existing} tells what the source's existing rows hold in an added column. */
    SchemaWatch(List<SourceTable> tables, DdlMode mode, AddedColumnValues existing) {
        this.mode = mode;
        this.existing = existing;
        for (SourceTable t : tables) {
            List<Known> cols = new ArrayList<>();
            for (ColumnDef c : t.copyColumns()) {
                cols.add(new Known(c.name(), c.typeOid(), c.typeModifier(), Lsn.INVALID, 0, true));
            }
            known.put(t.name(), cols);
            readAt.put(t.name(), t.readAt());
        }
    }

    /**
     * The transactions not acknowledged are about to be delivered again, after a failure that rolled back what the
     * sink had not committed.
     */
    void rewind() {
        deliveries++;
        checked.clear();
        checkedOlder.clear();
    }

    /**
     * Checks the relations {@code change}, of the transaction committed at {@code commitLsn}, refers to; adds columns
     * through {@code sink} as the mode allows.
     */
    void check(ChangeEvent change, Lsn commitLsn, ChangeSink sink) {
        if (change instanceof ChangeEvent.Insert i) {
            check(i.relation(), commitLsn, sink);
        } else if (change instanceof ChangeEvent.Update u) {
            check(u.relation(), commitLsn, sink);
        } else if (change instanceof ChangeEvent.Delete d) {
            check(d.relation(), commitLsn, sink);
        } else if (change instanceof ChangeEvent.Truncate t) {
            for (Relation r : t.relations()) {
                check(r, commitLsn, sink);
            }
        }
    }

    private void check(Relation relation, Lsn commitLsn, ChangeSink sink) {
        // Transactions come in commit order within a delivery: none older follows one checked after the read.
        if (checked.get(relation.oid()) == relation) {
            return;
        }
        TableName name = new TableName(relation.schema(), relation.table());
        List<Known> cols = known.get(name);
        if (cols == null) {
            return; // Not a synced table: the sink refuses it with its own error.
        }
        // A transaction committed before the definition was read may have been made under an older one.
        boolean older = commitLsn.isBefore(readAt.get(name));
        Map<Integer, Relation> done = older ? checkedOlder : checked;
        if (older && checkedOlder.get(relation.oid()) == relation) {
            return;
        }
        for (Known k : cols) {
            int i = relation.indexOf(k.name);
            if (i < 0) {
                if (k.unseen && older) {
                    k.lacked = true; // added after this transaction, while the sync was down
                    continue;
                }
                if (k.mayPredate(commitLsn)) {
                    continue; // delivered again from before the column was added
                }
                throw failure(
                        relation,
                        PgFerryException.fatal(
                                "column " + k.name + " of source table " + name + " was dropped or renamed while"
                                        + " streaming; a sync applies added columns only",
                                "make the target table match the source (ALTER TABLE ... DROP or RENAME COLUMN), then start"
                                        + " the sync again"));
            }
            Column now = relation.columns().get(i);
            if ((now.typeOid() != k.typeOid || now.typeModifier() != k.typeModifier) && !older) {
                // A length, precision or scale changed too (varchar(10) to varchar(50), numeric(10,2) to
                // numeric(12,4)): the target column would cut or round what it no longer fits.
                throw failure(
                        relation,
                        PgFerryException.fatal(
                                "column " + k.name + " of source table " + name + " changed type while streaming",
                                "change the target column's type the same way (ALTER TABLE ... ALTER COLUMN ... TYPE), then"
                                        + " start the sync again"));
            }
            if (k.unseen) {
                k.unseen = false;
                if (k.lacked) {
                    k.addedAt = commitLsn;
                    k.givenIn = -1;
                }
            }
            if (k.givenIn != deliveries && k.mayPredate(commitLsn)) {
                give(relation, now, sink);
                k.givenIn = deliveries;
            }
        }
        for (Column c : relation.columns()) {
            if (cols.stream().anyMatch(k -> k.name.equals(c.name()))) {
                continue;
            }
            if (mode == DdlMode.STOP) {
                throw failure(
                        relation,
                        PgFerryException.fatal(
                                "column " + c.name() + " was added to source table " + name + " while streaming",
                                "add it at the target (ALTER TABLE ... ADD COLUMN), then start the sync again; or let the"
                                        + " sync add it (DDL mode apply)"));
            }
            if (c.typeOid() >= SourceCatalog.FIRST_NORMAL_OID) {
                throw failure(
                        relation,
                        PgFerryException.fatal(
                                "column " + c.name() + " added to source table " + name
                                        + " has a user-defined type, which" + " a sync does not create while streaming",
                                "start the sync again: its start adds the column with its type (DDL mode apply), or add it"
                                        + " at the target yourself (ALTER TABLE ... ADD COLUMN) first"));
            }
            // Known before the sink is given it: a sink that fails after adding it (DDL that commits at once) has the
            // batch delivered again, and the column given again then.
            cols.add(new Known(c.name(), c.typeOid(), c.typeModifier(), commitLsn, deliveries, false));
            give(relation, c, sink);
        }
        done.put(relation.oid(), relation);
    }

    /** Has the sink add {@code column} (or fill its NULLs, when there) with what the source's existing rows hold. */
    private void give(Relation relation, Column column, ChangeSink sink) {
        Optional<AddedColumnValues.Existing> value = existing.of(relation, column.name());
        if (value.isEmpty()) {
            AddedColumnValues.warnUnknown(relation, column.name());
        }
        sink.addColumn(
                relation, column, value.map(AddedColumnValues.Existing::value).orElse(null));
    }

    private static TableFailure failure(Relation relation, PgFerryException e) {
        return TableFailure.of(relation.schema(), relation.table(), e);
    }
}
