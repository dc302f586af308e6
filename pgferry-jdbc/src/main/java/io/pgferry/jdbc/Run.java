package io.pgferry.jdbc;

import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.TupleData;
import java.sql.SQLException;

/** Consecutive changes of one kind to one table, written together (see {@link JdbcSink}). */
abstract sealed class Run permits InsertRun, UpdateRun, DeleteRun {
    final Relation relation;
    final TargetTable target;
    /** The wire size of the rows added, a measure of the heap the run holds until it is written. */
    long bytes;

    Run(Relation relation, TargetTable target) {
        this.relation = relation;
        this.target = target;
    }

    abstract int size();

    /**
     * This run's rows split by the half their key falls in ({@link Key#half}): two runs of the same kind, table and
     * rules, the rows of half {@code h} at index {@code h}, in the same order; either may be empty.
     */
    abstract Run[] halves();

    /** What {@code row} adds to a run: its values' bytes as PostgreSQL sent them, and a little for each column. */
    static long bytesOf(Row row) {
        TupleData t = row.tuple();
        long n = 0;
        for (int i = 0; i < t.size(); i++) {
            n += Math.max(0, t.length(i)) + 16;
        }
        return n;
    }

    /** Writes the run in the sink's open transaction. */
    abstract void flush(Writes sink) throws SQLException;

    /** {@code WHERE k1 = ? AND k2 = ?} over the relation's key columns. */
    String keyPredicate(Dialect dialect) {
        StringBuilder s = new StringBuilder();
        for (var c : relation.columns()) {
            if (c.key()) {
                s.append(s.length() == 0 ? "" : " AND ").append(dialect.equalsKey(c));
            }
        }
        return s.toString();
    }
}
