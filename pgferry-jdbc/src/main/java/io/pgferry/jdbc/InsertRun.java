package io.pgferry.jdbc;

import io.pgferry.core.event.Relation;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Inserted rows of one table, as text values in column order; written at once by the dialect. */
final class InsertRun extends Run {
    final List<String[]> rows = new ArrayList<>();

    InsertRun(Relation relation, TargetTable target) {
        super(relation, target);
    }

    @Override
    int size() {
        return rows.size();
    }

    @Override
    void flush(JdbcSink sink) throws SQLException {
        sink.dialect().insertRows(sink.connection(), target, relation.columns(), rows);
    }
}
