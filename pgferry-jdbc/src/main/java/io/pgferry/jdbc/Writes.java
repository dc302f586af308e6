package io.pgferry.jdbc;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.sink.MovedRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination connection of a {@link JdbcSink} as its runs write to it: statements prepared once per SQL text,
 * updates and deletes that found no row counted (and warned about once per table), and the writes made one row at a
 * time, outside any run: a row matched on all its values (replica identity FULL), and a key change replayed
 * idempotently. Not thread-safe: the sink's.
 */
final class Writes {
    private static final Logger log = LoggerFactory.getLogger(Writes.class);

    private final Connection connection;
    private final Dialect dialect;
    private final String where;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final Map<TargetTable, Boolean> warnedMissing = new HashMap<>();
    /** Written by the thread that writes the sink's batches, read by any. */
    private volatile long missingRows;

    private boolean idempotent;

    /** @param where the destination for messages, without secrets */
    Writes(Connection connection, Dialect dialect, String where) {
        this.connection = connection;
        this.dialect = dialect;
        this.where = where;
    }

    /** In idempotent replay a missing row is expected (the copy read the row after a later delete). */
    void idempotent(boolean on) {
        idempotent = on;
    }

    long missingRows() {
        return missingRows;
    }

    PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /**
     * Counts {@code missing} rows an update or delete did not find; warns once per table. In idempotent replay a
     * missing row is expected (the copy read the row after a later delete) and not counted.
     */
    void countMissing(TargetTable table, int missing) {
        if (missing > 0 && !idempotent) {
            missingRows += missing;
            if (warnedMissing.put(table, Boolean.TRUE) == null) {
                log.warn(
                        "an update or delete found no row in {} at {}: the destination had diverged from the source"
                                + " (further misses of this table are counted, not logged)",
                        table,
                        where);
            }
        }
    }

    Connection connection() {
        return connection;
    }

    Dialect dialect() {
        return dialect;
    }

    /**
     * A key change replayed over rows a copy may have read before or after it: when the row is still at its old key,
     * a row at the new key (copied after the change) is removed and the row moved; when it is at its new key only,
     * that row gets the update's values; when it is at neither, the update's row is written. The last happens when
     * the change moved the row between two chunks of a chunked copy, the chunk of its new key read before the change
     * and that of its old key after: no chunk saw the row, and the update is all there is of it.
     *
     * When the update left values unchanged (TOAST), which only the source holds, the row is read through {@code
     * rows}: nothing is written when the source has no row at the new key any more (a later change deleted or moved
     * it).
     *
     * @param rows where to read the row; null when nowhere
     * @throws io.pgferry.core.PgFerryException (fatal) when the row is at neither key and lacks values it left unchanged, read
     *     or not
     */
    void moveIdempotently(Relation relation, TargetTable target, Key old, Key key, Row after, MovedRows rows)
            throws SQLException {
        UpdateRun probe = new UpdateRun(relation, target);
        String at = " FROM " + dialect.qualified(target) + " WHERE " + probe.keyPredicate(dialect);
        if (exists(at, old)) {
            PreparedStatement delete = statement("DELETE" + at);
            bindKey(delete, 1, key);
            delete.executeUpdate();
            probe.merge(old, after, dialect).flush(this);
        } else if (exists(at, key)) {
            probe.merge(key, after, dialect).flush(this);
        } else {
            Row row = after;
            if (rows != null && unchangedToast(after) >= 0) {
                ChangeEvent.Update current = rows.readCurrent();
                if (current == null) {
                    return;
                }
                row = current.after();
            }
            int unsent = unchangedToast(row);
            if (unsent >= 0) {
                throw ChangeFailures.movedRowIncomplete(
                        relation, target, relation.columns().get(unsent).name());
            }
            InsertRun insert = new InsertRun(relation, target, true, false);
            insert.rows.add(values(row));
            insert.flush(this);
        }
    }

    /** The first column of {@code row} that is an unchanged TOAST value, or -1. */
    private static int unchangedToast(Row row) {
        for (int i = 0; i < row.size(); i++) {
            if (row.isUnchangedToast(i)) {
                return i;
            }
        }
        return -1;
    }

    private boolean exists(String at, Key key) throws SQLException {
        PreparedStatement exists = statement("SELECT 1" + at);
        bindKey(exists, 1, key);
        try (var rs = exists.executeQuery()) {
            return rs.next();
        }
    }

    /** The values of {@code row} as the dialect binds them, NULL as null. */
    Object[] values(Row row) {
        Object[] v = new Object[row.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = row.isNull(i) ? null : dialect.value(row.relation(), i, row.text(i));
        }
        return v;
    }

    private void bindKey(PreparedStatement ps, int first, Key key) throws SQLException {
        for (int i = 0; i < key.size(); i++) {
            dialect.bind(ps, first + i, key.value(i));
        }
    }

    /** An update ({@code after} not null) or delete of one row matched on every value of {@code old}. */
    void oneRow(Relation relation, TargetTable target, Row old, Row after) throws SQLException {
        List<Object> params = new ArrayList<>();
        StringBuilder set = null;
        if (after != null) {
            set = new StringBuilder();
            for (int i = 0; i < relation.columns().size(); i++) {
                if (!after.isUnchangedToast(i)) {
                    Column c = relation.columns().get(i);
                    set.append(set.length() == 0 ? "" : ", ")
                            .append(dialect.quote(c.name()))
                            .append(" = ")
                            .append(dialect.parameter(c));
                    params.add(after.isNull(i) ? null : dialect.value(relation, i, after.text(i)));
                }
            }
        }
        StringBuilder match = new StringBuilder();
        for (int i = 0; i < relation.columns().size(); i++) {
            if (!old.isUnchangedToast(i)) {
                match.append(match.length() == 0 ? "" : " AND ")
                        .append(dialect.matches(relation.columns().get(i)));
                params.add(old.isNull(i) ? null : dialect.value(relation, i, old.text(i)));
            }
        }
        String sql = dialect.oneRow(target, set == null ? null : set.toString(), match.toString());
        PreparedStatement ps = statement(sql);
        for (int i = 0; i < params.size(); i++) {
            dialect.bind(ps, i + 1, params.get(i));
        }
        countMissing(target, 1 - ps.executeUpdate());
    }

    /** Closes the statements; the connection is the sink's to close. */
    void close() {
        for (PreparedStatement ps : statements.values()) {
            closeQuietly(ps);
        }
        statements.clear();
    }

    static void closeQuietly(Statement st) {
        try {
            if (st != null) {
                st.close();
            }
        } catch (SQLException e) {
            // The connection is closed next.
        }
    }
}
