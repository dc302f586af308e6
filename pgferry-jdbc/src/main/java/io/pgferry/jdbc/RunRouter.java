package io.pgferry.jdbc;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.core.sink.MovedRows;
import io.pgferry.core.sink.TableFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Puts each change of a {@link JdbcSink}'s batch where it goes: into the open run of its table and kind ({@link
 * OpenRuns}), or, for what a run cannot hold, written alone after what precedes it (see {@link JdbcSink} for which
 * changes those are and for the idempotent rules). Not thread-safe: the sink's thread; it awaits the batch written
 * behind before it uses the connection itself.
 */
final class RunRouter {
    private final Dialect dialect;
    private final Writes writes;
    private final Function<Relation, TargetTable> targets;
    /** Returns once the batch written behind, if any, is (see {@link WriteBehind}). */
    private final Runnable awaitWritten;

    final OpenRuns open;

    private final Map<TargetTable, Boolean> secondaryUnique = new HashMap<>();
    private final Map<TargetTable, Boolean> firesTriggers = new HashMap<>();
    /** The target of each Relation instance seen: the stream hands the same instance for every change of a table. */
    private final Map<Relation, TargetTable> targetOf = new IdentityHashMap<>();

    private boolean idempotent;
    private boolean copying;
    /** Where the replay reads a moved row it lacks values of; null when nowhere. */
    private MovedRows movedRows;
    /**
     * The source table whose rows are being written, from just before a statement to just after it succeeds: a
     * destination error while it is set is that table's, and is reported as a {@link TableFailure}.
     */
    private Relation writing;

    /** @param inOrder whether every run is written before a run of another table opens (see {@link OpenRuns}) */
    RunRouter(
            Dialect dialect,
            Writes writes,
            boolean inOrder,
            Function<Relation, TargetTable> targets,
            Runnable awaitWritten) {
        this.dialect = dialect;
        this.writes = writes;
        this.targets = targets;
        this.awaitWritten = awaitWritten;
        this.open = new OpenRuns(inOrder, this::write);
    }

    /** Puts {@code change} into its run, or writes it; a logical message carries no table data. */
    void apply(ChangeEvent change) throws SQLException {
        if (change instanceof ChangeEvent.Insert i) {
            insert(i.relation(), i.after());
        } else if (change instanceof ChangeEvent.Update u) {
            update(u);
        } else if (change instanceof ChangeEvent.Delete d) {
            delete(d);
        } else if (change instanceof ChangeEvent.Read r) {
            // A sink of the initial copy sees nothing but reads: their runs take the dialect's bulk path.
            copying = true;
            insert(r.relation(), r.after());
        } else if (change instanceof ChangeEvent.Truncate t) {
            truncate(t);
        }
    }

    boolean idempotent() {
        return idempotent;
    }

    /** Routes the changes from now on by the idempotent rules, or exactly; the caller has written the open runs. */
    void idempotent(boolean on) {
        idempotent = on;
        writes.idempotent(on);
    }

    void movedRows(MovedRows rows) {
        movedRows = rows;
    }

    /** {@code e} as the failure of the table being written, if one was. */
    PgFerryException attributed(PgFerryException e) {
        Relation r = writing;
        writing = null;
        return r == null ? e : TableFailure.of(r.schema(), r.table(), e);
    }

    /** Forgets the table being written: the batch is rolled back. */
    void rolledBack() {
        writing = null;
    }

    private void write(Run r) throws SQLException {
        awaitWritten.run();
        writing = r.relation;
        r.flush(writes);
        writing = null;
    }

    private void insert(Relation relation, Row row) throws SQLException {
        if (idempotent && relation.replicaIdentity() == ReplicaIdentity.FULL) {
            throw ChangeFailures.noReplayKey(relation, target(relation));
        }
        InsertRun run = runFor(relation, InsertRun.class);
        run.rows.add(values(row));
        open.held(run, row);
    }

    private void update(ChangeEvent.Update u) throws SQLException {
        Relation relation = u.relation();
        if (idempotent && relation.replicaIdentity() == ReplicaIdentity.FULL) {
            throw ChangeFailures.noReplayKey(relation, target(relation));
        }
        if (relation.replicaIdentity() == ReplicaIdentity.FULL) {
            oneRow(relation, u.before() == null ? u.after() : u.before(), u.after());
            return;
        }
        Key key = Key.of(u.after(), dialect);
        Key old = u.before() == null ? key : Key.of(u.before(), dialect);
        TargetTable target = target(relation);
        if (!old.equals(key) || hasSecondaryUnique(target)) {
            open.alone(target);
            if (idempotent && !old.equals(key)) {
                awaitWritten.run();
                writing = relation;
                writes.moveIdempotently(relation, target, old, key, u.after(), movedRows);
                writing = null;
                return;
            }
            write(new UpdateRun(relation, target).merge(old, u.after(), dialect));
            return;
        }
        open.held(runFor(relation, UpdateRun.class).merge(key, u.after(), dialect), u.after());
    }

    /** Writes an update ({@code after} not null) or delete of one row matched on all of {@code old}'s values. */
    private void oneRow(Relation relation, Row old, Row after) throws SQLException {
        open.alone(target(relation));
        awaitWritten.run();
        writing = relation;
        writes.oneRow(relation, target(relation), old, after);
        writing = null;
    }

    private void delete(ChangeEvent.Delete d) throws SQLException {
        Relation relation = d.relation();
        if (idempotent && relation.replicaIdentity() == ReplicaIdentity.FULL) {
            throw ChangeFailures.noReplayKey(relation, target(relation));
        }
        if (relation.replicaIdentity() == ReplicaIdentity.FULL) {
            oneRow(relation, d.before(), null);
            return;
        }
        runFor(relation, DeleteRun.class).keys.add(Key.of(d.before(), dialect));
    }

    /**
     * The open run of {@code relation}'s table if it is of {@code kind} and has room, else a new one, after writing
     * the table's open run (and, in order, every open run).
     */
    private <R extends Run> R runFor(Relation relation, Class<R> kind) throws SQLException {
        TargetTable target = target(relation);
        return open.runFor(
                relation,
                target,
                kind,
                () -> kind == InsertRun.class
                        ? kind.cast(new InsertRun(relation, target, idempotent, copying))
                        : kind == UpdateRun.class
                                ? kind.cast(new UpdateRun(relation, target))
                                : kind.cast(new DeleteRun(relation, target)));
    }

    /** The destination table of {@code relation}, looked up once per Relation instance. */
    TargetTable target(Relation relation) {
        TargetTable t = targetOf.get(relation);
        if (t == null) {
            t = targets.apply(relation);
            targetOf.put(relation, t);
        }
        return t;
    }

    /**
     * The tables of {@code runs} whose rows a second session may not take part of by key ({@link ApplyLane}): those
     * with a unique index besides their key. Null when no part of the batch may go to a second session: a table has a
     * trigger that fires in the apply session all the same ({@link Dialect#firesTriggersWhenOff}), which may write
     * rows of other tables, so that each session could wait for a row the other holds. Each table is looked up once,
     * after the batch written behind.
     */
    Set<TargetTable> unsplittable(List<Run> runs) throws SQLException {
        Set<TargetTable> whole = new HashSet<>();
        for (Run r : runs) {
            if (lookUp(firesTriggers, r.target, dialect::firesTriggersWhenOff)) {
                return null;
            }
            if (hasSecondaryUnique(r.target)) {
                whole.add(r.target);
            }
        }
        return whole;
    }

    /** Whether {@code target} has a unique index besides its key; looked up once, after the batch written behind. */
    boolean hasSecondaryUnique(TargetTable target) throws SQLException {
        return lookUp(secondaryUnique, target, dialect::hasSecondaryUnique);
    }

    /** A catalog question about a destination table, asked on the sink's connection. */
    @FunctionalInterface
    private interface TableQuestion {
        boolean ask(Connection connection, TargetTable table) throws SQLException;
    }

    /** {@code question}'s answer for {@code target}: from {@code known}, else asked once the batch behind is written. */
    private boolean lookUp(Map<TargetTable, Boolean> known, TargetTable target, TableQuestion question)
            throws SQLException {
        Boolean answer = known.get(target);
        if (answer == null) {
            awaitWritten.run();
            answer = question.ask(writes.connection(), target);
            known.put(target, answer);
        }
        return answer;
    }

    private void truncate(ChangeEvent.Truncate t) throws SQLException {
        open.flush();
        awaitWritten.run();
        List<TargetTable> tables = new ArrayList<>();
        for (Relation r : t.relations()) {
            tables.add(target(r));
        }
        try (Statement st = writes.connection().createStatement()) {
            if (!dialect.truncatesManyTables()) {
                for (int i = 0; i < tables.size(); i++) {
                    writing = t.relations().get(i);
                    st.execute(dialect.truncate(List.of(tables.get(i)), t.cascade(), t.restartIdentity()));
                }
            } else {
                // One statement for all: a failure is put down to the first table it names.
                writing = t.relations().get(0);
                st.execute(dialect.truncate(tables, t.cascade(), t.restartIdentity()));
            }
            writing = null;
        }
    }

    private Object[] values(Row row) {
        return writes.values(row);
    }
}
