package io.pgferry.jdbc;

import io.pgferry.core.event.Relation;
import java.sql.SQLException;

/** Consecutive changes of one kind to one table, written together (see {@link JdbcSink}). */
abstract sealed class Run permits InsertRun, UpdateRun, DeleteRun {
    final Relation relation;
    final TargetTable target;

    Run(Relation relation, TargetTable target) {
        this.relation = relation;
        this.target = target;
    }

    abstract int size();

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
