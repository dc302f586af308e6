package io.pgferry.engine;

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
import io.pgferry.postgres.TableName;
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
 */
final class SchemaWatch {
    /** The columns each synced table is known to have: name, type and modifier (the key flag is not compared). */
    private final Map<TableName, List<Column>> known = new HashMap<>();
    /** The last Relation checked for each table OID; a change carrying the same instance needs no check. */
    private final Map<Integer, Relation> checked = new HashMap<>();

    private final DdlMode mode;
    private final AddedColumnValues existing;

    /** {@code existing} tells what the source's existing rows hold in an added column. */
    SchemaWatch(List<SourceTable> tables, DdlMode mode, AddedColumnValues existing) {
        this.mode = mode;
        this.existing = existing;
        for (SourceTable t : tables) {
            List<Column> cols = new ArrayList<>();
            for (ColumnDef c : t.copyColumns()) {
                cols.add(new Column(c.name(), c.typeOid(), -1, false));
            }
            known.put(t.name(), cols);
        }
    }

    /** Checks the relations {@code change} refers to; adds columns through {@code sink} as the mode allows. */
    void check(ChangeEvent change, ChangeSink sink) {
        if (change instanceof ChangeEvent.Insert i) {
            check(i.relation(), sink);
        } else if (change instanceof ChangeEvent.Update u) {
            check(u.relation(), sink);
        } else if (change instanceof ChangeEvent.Delete d) {
            check(d.relation(), sink);
        } else if (change instanceof ChangeEvent.Truncate t) {
            for (Relation r : t.relations()) {
                check(r, sink);
            }
        }
    }

    private void check(Relation relation, ChangeSink sink) {
        if (checked.get(relation.oid()) == relation) {
            return;
        }
        TableName name = new TableName(relation.schema(), relation.table());
        List<Column> before = known.get(name);
        if (before == null) {
            return; // Not a synced table: the sink refuses it with its own error.
        }
        for (Column old : before) {
            int i = relation.indexOf(old.name());
            if (i < 0) {
                throw failure(
                        relation,
                        PgFerryException.fatal(
                                "column " + old.name() + " of source table " + name + " was dropped or renamed while"
                                        + " streaming; a sync applies added columns only",
                                "make the target table match the source (ALTER TABLE ... DROP or RENAME COLUMN), then start"
                                        + " the sync again"));
            }
            Column now = relation.columns().get(i);
            if (now.typeOid() != old.typeOid()) {
                throw failure(
                        relation,
                        PgFerryException.fatal(
                                "column " + old.name() + " of source table " + name + " changed type while streaming",
                                "change the target column's type the same way (ALTER TABLE ... ALTER COLUMN ... TYPE), then"
                                        + " start the sync again"));
            }
        }
        List<Column> after = new ArrayList<>(before);
        for (Column c : relation.columns()) {
            if (before.stream().anyMatch(b -> b.name().equals(c.name()))) {
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
                                "add the column at the target (ALTER TABLE ... ADD COLUMN), then start the sync again"));
            }
            Optional<AddedColumnValues.Existing> value = existing.of(relation, c.name());
            if (value.isEmpty()) {
                AddedColumnValues.warnUnknown(relation, c.name());
            }
            sink.addColumn(
                    relation, c, value.map(AddedColumnValues.Existing::value).orElse(null));
            after.add(new Column(c.name(), c.typeOid(), -1, false));
        }
        known.put(name, after);
        checked.put(relation.oid(), relation);
    }

    private static TableFailure failure(Relation relation, PgFerryException e) {
        return TableFailure.of(relation.schema(), relation.table(), e);
    }
}
