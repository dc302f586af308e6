package io.pgferry.jdbc;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Inserted rows of one table, as text values in column order; written at once by the dialect, as plain inserts or,
 * in idempotent replay, as upserts on the key.
 */
final class InsertRun extends Run {
    final List<Object[]> rows = new ArrayList<>();
    private final boolean upsert;
    private final boolean copy;

    /**
     * @param upsert written as upserts on the key (idempotent replay)
     * @param copy rows of the initial copy, written by the dialect's bulk path ({@link Dialect#copyRows})
     */
    InsertRun(Relation relation, TargetTable target, boolean upsert, boolean copy) {
        super(relation, target);
        this.upsert = upsert;
        this.copy = copy;
    }

    @Override
    int size() {
        return rows.size();
    }

    @Override
    InsertRun[] halves() {
        InsertRun[] h = {new InsertRun(relation, target, upsert, copy), new InsertRun(relation, target, upsert, copy)};
        int[] keys = Key.columns(relation);
        for (Object[] row : rows) {
            h[Key.of(row, keys).half()].rows.add(row);
        }
        return h;
    }

    @Override
    void flush(Writes sink) throws SQLException {
        if (upsert) {
            List<Column> keys = relation.columns().stream().filter(Column::key).toList();
            sink.dialect().upsertRows(sink.connection(), target, relation.columns(), keys, rows);
        } else if (copy) {
            sink.dialect().copyRows(sink.connection(), target, relation.columns(), rows);
        } else {
            sink.dialect().insertRows(sink.connection(), target, relation.columns(), rows);
        }
    }
}
