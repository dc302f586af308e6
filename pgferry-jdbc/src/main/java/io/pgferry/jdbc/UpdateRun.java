package io.pgferry.jdbc;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Updates of one table, one pending update per key: a later update's sent columns overwrite an earlier one's, and a
 * column no update sent (an unchanged TOAST value) is left as the destination has it. Key columns are set too: a
 * run holds updates that keep their key; a key change is a run of its own, whose SET moves the row to its new key.
 */
final class UpdateRun extends Run {
    private final Map<Key, Pending> pending = new LinkedHashMap<>();

    private static final class Pending {
        final String[] values;
        final BitSet sent;

        Pending(int width) {
            values = new String[width];
            sent = new BitSet(width);
        }
    }

    UpdateRun(Relation relation, TargetTable target) {
        super(relation, target);
    }

    @Override
    int size() {
        return pending.size();
    }

    /** Records the update of the row with key {@code key} (its key before the update) to {@code after}. */
    UpdateRun merge(Key key, Row after) {
        List<Column> columns = relation.columns();
        Pending p = pending.computeIfAbsent(key, k -> new Pending(columns.size()));
        for (int i = 0; i < columns.size(); i++) {
            if (!after.isUnchangedToast(i)) {
                p.values[i] = after.isNull(i) ? null : after.text(i);
                p.sent.set(i);
            }
        }
        return this;
    }

    @Override
    void flush(JdbcSink sink) throws SQLException {
        Dialect d = sink.dialect();
        List<Column> columns = relation.columns();
        String where = keyPredicate(d);
        Set<PreparedStatement> used = new LinkedHashSet<>();
        for (Map.Entry<Key, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            StringBuilder set = new StringBuilder();
            for (int i = p.sent.nextSetBit(0); i >= 0; i = p.sent.nextSetBit(i + 1)) {
                set.append(set.length() == 0 ? "" : ", ")
                        .append(d.quote(columns.get(i).name()))
                        .append(" = ")
                        .append(d.parameter(columns.get(i)));
            }
            if (set.length() == 0) {
                continue;
            }
            PreparedStatement ps = sink.statement("UPDATE " + d.qualified(target) + " SET " + set + " WHERE " + where);
            int n = 1;
            for (int i = p.sent.nextSetBit(0); i >= 0; i = p.sent.nextSetBit(i + 1)) {
                JdbcSink.bind(ps, n++, p.values[i]);
            }
            Key key = e.getKey();
            int k = 0;
            for (Column c : columns) {
                if (c.key()) {
                    JdbcSink.bind(ps, n++, key.value(k++));
                }
            }
            ps.addBatch();
            used.add(ps);
        }
        for (PreparedStatement ps : used) {
            for (int updated : ps.executeBatch()) {
                sink.countMissing(target, updated);
            }
        }
    }
}
