package io.pgferry.jdbc;

import io.pgferry.core.event.Relation;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Set;

/** Deleted keys of one table, each deleted once, in one batch. */
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
    void flush(JdbcSink sink) throws SQLException {
        PreparedStatement ps = sink.statement(
                "DELETE FROM " + sink.dialect().qualified(target) + " WHERE " + keyPredicate(sink.dialect()));
        int width = (int) relation.columns().stream().filter(c -> c.key()).count();
        for (Key k : keys) {
            for (int i = 0; i < width; i++) {
                JdbcSink.bind(ps, i + 1, k.value(i));
            }
            ps.addBatch();
        }
        for (int n : ps.executeBatch()) {
            sink.countMissing(target, n);
        }
    }
}
