package io.pgferry.jdbc;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Deleted keys of one table, each deleted once, in one batch, in {@link KeyOrder}. */
final class DeleteRun extends Run {
    final Set<Key> keys = new LinkedHashSet<>();

    DeleteRun(Relation relation, TargetTable target) {
        super(relation, target);
    }

    @Override
    int size() {
        return keys.size();
    }

    @Override
    DeleteRun[] halves() {
        DeleteRun[] h = {new DeleteRun(relation, target), new DeleteRun(relation, target)};
        for (Key k : keys) {
            h[k.half()].keys.add(k);
        }
        return h;
    }

    /** Deletes the keys in one statement where the dialect has one, else as a batch of one DELETE a key. */
    @Override
    void flush(Writes sink) throws SQLException {
        List<Column> keyColumns =
                relation.columns().stream().filter(Column::key).toList();
        List<Key> sorted = new ArrayList<>(keys);
        KeyOrder.of(relation).sort(sorted, k -> k);
        List<Object[]> rows = new ArrayList<>(sorted.size());
        for (Key k : sorted) {
            Object[] row = new Object[keyColumns.size()];
            for (int i = 0; i < row.length; i++) {
                row[i] = k.value(i);
            }
            rows.add(row);
        }
        int deleted = rows.size() > 1 ? sink.dialect().deleteMany(sink.connection(), target, keyColumns, rows) : -1;
        if (deleted < 0) {
            PreparedStatement ps = sink.statement(
                    "DELETE FROM " + sink.dialect().qualified(target) + " WHERE " + keyPredicate(sink.dialect()));
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    sink.dialect().bind(ps, i + 1, row[i]);
                }
                ps.addBatch();
            }
            deleted = 0;
            for (int n : ps.executeBatch()) {
                deleted += n;
            }
        }
        sink.countMissing(target, rows.size() - deleted);
    }
}
