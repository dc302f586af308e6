package io.pgferry.jdbc;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates of one table, one pending update per key: a later update's sent columns overwrite an earlier one's, and a
 * column no update sent (an unchanged TOAST value) is left as the destination has it. Key columns are set too: a
 * run holds updates that keep their key; a key change is a run of its own, whose SET moves the row to its new key.
 * Rows are written in {@link KeyOrder}.
 */
final class UpdateRun extends Run {
    private final Map<Key, Pending> pending = new LinkedHashMap<>();

    private static final class Pending {
        final Object[] values;
        final BitSet sent;

        Pending(int width) {
            values = new Object[width];
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

    @Override
    UpdateRun[] halves() {
        UpdateRun[] h = {new UpdateRun(relation, target), new UpdateRun(relation, target)};
        for (Map.Entry<Key, Pending> e : pending.entrySet()) {
            h[e.getKey().half()].pending.put(e.getKey(), e.getValue());
        }
        return h;
    }

    /** Records the update of the row with key {@code key} (its key before the update) to {@code after}. */
    UpdateRun merge(Key key, Row after, Dialect dialect) {
        List<Column> columns = relation.columns();
        Pending p = pending.computeIfAbsent(key, k -> new Pending(columns.size()));
        for (int i = 0; i < columns.size(); i++) {
            if (!after.isUnchangedToast(i)) {
                p.values[i] = after.isNull(i) ? null : dialect.value(relation, i, after.text(i));
                p.sent.set(i);
            }
        }
        return this;
    }

    /**
     * Writes the pending updates: those that set the same columns together, in one statement where the dialect has
     * one ({@link Dialect#updateMany}), else as a batch of one UPDATE a row.
     */
    @Override
    void flush(Writes sink) throws SQLException {
        List<Column> columns = relation.columns();
        List<Column> keys = columns.stream().filter(Column::key).toList();
        Map<BitSet, List<Map.Entry<Key, Pending>>> bySignature = new LinkedHashMap<>();
        for (Map.Entry<Key, Pending> e : pending.entrySet()) {
            if (!e.getValue().sent.isEmpty()) {
                bySignature
                        .computeIfAbsent(e.getValue().sent, k -> new ArrayList<>())
                        .add(e);
            }
        }
        KeyOrder order = KeyOrder.of(relation);
        for (Map.Entry<BitSet, List<Map.Entry<Key, Pending>>> group : bySignature.entrySet()) {
            List<Map.Entry<Key, Pending>> entries = group.getValue();
            order.sort(entries, Map.Entry::getKey);
            // Several rows go in one statement keyed on the key columns, which a run never changes: they are left
            // out of its SET list. A single row (a key change among them) sets every column sent.
            boolean many = entries.size() > 1;
            BitSet sent = (BitSet) group.getKey().clone();
            if (many) {
                for (int i = 0; i < columns.size(); i++) {
                    if (columns.get(i).key()) {
                        sent.clear(i);
                    }
                }
                if (sent.isEmpty()) {
                    continue;
                }
            }
            List<Column> set = new ArrayList<>();
            for (int i = sent.nextSetBit(0); i >= 0; i = sent.nextSetBit(i + 1)) {
                set.add(columns.get(i));
            }
            List<Object[]> rows = new ArrayList<>(entries.size());
            for (Map.Entry<Key, Pending> e : entries) {
                Object[] row = new Object[keys.size() + set.size()];
                for (int k = 0; k < keys.size(); k++) {
                    row[k] = e.getKey().value(k);
                }
                int n = keys.size();
                for (int i = sent.nextSetBit(0); i >= 0; i = sent.nextSetBit(i + 1)) {
                    row[n++] = e.getValue().values[i];
                }
                rows.add(row);
            }
            int updated = many ? sink.dialect().updateMany(sink.connection(), target, keys, set, rows) : -1;
            if (updated < 0) {
                updated = oneByOne(sink, keys, set, rows);
            }
            sink.countMissing(target, rows.size() - updated);
        }
    }

    private int oneByOne(Writes sink, List<Column> keys, List<Column> set, List<Object[]> rows) throws SQLException {
        Dialect d = sink.dialect();
        StringBuilder sql =
                new StringBuilder("UPDATE ").append(d.qualified(target)).append(" SET ");
        for (int i = 0; i < set.size(); i++) {
            sql.append(i == 0 ? "" : ", ")
                    .append(d.quote(set.get(i).name()))
                    .append(" = ")
                    .append(d.parameter(set.get(i)));
        }
        sql.append(" WHERE ").append(keyPredicate(d));
        PreparedStatement ps = sink.statement(sql.toString());
        for (Object[] row : rows) {
            int n = 1;
            for (int i = keys.size(); i < row.length; i++) {
                d.bind(ps, n++, row[i]);
            }
            for (int k = 0; k < keys.size(); k++) {
                d.bind(ps, n++, row[k]);
            }
            ps.addBatch();
        }
        int updated = 0;
        for (int u : ps.executeBatch()) {
            updated += u;
        }
        return updated;
    }
}
