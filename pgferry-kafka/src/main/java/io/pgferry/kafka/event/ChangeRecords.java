package io.pgferry.kafka.event;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.core.value.TypeResolver;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which records a change makes, in Debezium's form, whatever their encoding: a row change keyed by the row's key
 * (null for a table without one) with the envelope {@code before, after, source, transaction, op, ts_ms}; a tombstone
 * after each delete when tombstones are on; a key change as delete, tombstone, create; a TRUNCATE as an {@code op t}
 * record on each table's topic with a null key; a logical message as an {@code op m} record. Subclasses encode: the
 * Kafka destination as JSON bytes ({@link EventRecords}), the Connect source connector as {@code Struct}s.
 *
 * <p>Not thread-safe: one per sink or task. It keeps the layout of each table seen, by OID, valid for the Relation
 * object it was made from.
 *
 * @param <T> the table layout the encoding needs
 * @param <K> an encoded key
 * @param <O> where a change comes from (its source transaction)
 */
public abstract class ChangeRecords<T extends TableLayout, K, O> {
    private final boolean tombstones;
    private final Map<Integer, T> layouts = new HashMap<>();
    /** The resolver of the last row seen, for the layout of a TRUNCATE, which carries no row. */
    private TypeResolver lastTypes = BuiltinTypes.builtin();

    protected ChangeRecords(boolean tombstones) {
        this.tombstones = tombstones;
    }

    /** The layout of {@code relation}'s table, for rows read with {@code types}. */
    protected abstract T newLayout(Relation relation, TypeResolver types);

    /**
     * The key of {@code row}. A key column whose value was not sent (a TOASTed key that did not change) is taken from
     * {@code oldKey}, the old key the server sends in that case, when it has it.
     */
    protected abstract K key(T table, Row row, Row oldKey);

    /** Emits a row event: {@code key} null for a table without a key; {@code before} or {@code after} may be null. */
    protected abstract void rowEvent(
            T table, O origin, String op, K key, Row before, Row after, Lsn lsn, boolean snapshot);

    /** Emits a tombstone: {@code key} with no value. */
    protected abstract void tombstone(T table, K key);

    /** Emits the {@code op t} record of a truncated table. */
    protected abstract void truncate(T table, O origin, Lsn lsn);

    /** Emits a logical message's record. */
    protected abstract void message(ChangeEvent.Message message, O origin);

    /** Emits the records of {@code change}, in the order they are to be sent. */
    protected final void records(ChangeEvent change, O origin) {
        if (change instanceof ChangeEvent.Insert c) {
            T t = layout(c.relation(), c.after());
            rowEvent(t, origin, "c", keyOf(t, c.after(), null), null, c.after(), c.lsn(), false);
        } else if (change instanceof ChangeEvent.Read c) {
            T t = layout(c.relation(), c.after());
            rowEvent(t, origin, "r", keyOf(t, c.after(), null), null, c.after(), c.lsn(), true);
        } else if (change instanceof ChangeEvent.Update c) {
            update(c, origin);
        } else if (change instanceof ChangeEvent.Delete c) {
            T t = layout(c.relation(), c.before());
            delete(t, origin, c.before(), keyOf(t, c.before(), null), c.lsn());
        } else if (change instanceof ChangeEvent.Truncate c) {
            for (Relation r : c.relations()) {
                truncate(layout(r, null), origin, c.lsn());
            }
        } else if (change instanceof ChangeEvent.Message c) {
            message(c, origin);
        }
    }

    private void update(ChangeEvent.Update c, O origin) {
        Row before = c.before();
        Row after = c.after();
        T t = layout(c.relation(), after);
        K key = keyOf(t, after, before);
        if (t.hasKey() && before != null) {
            K oldKey = key(t, before, null);
            if (!Objects.deepEquals(oldKey, key)) {
                // As Debezium: the row leaves its old key (delete and tombstone) and arrives at the new one.
                delete(t, origin, before, oldKey, c.lsn());
                rowEvent(t, origin, "c", key, null, after, c.lsn(), false);
                return;
            }
        }
        // An old key alone, unchanged, tells nothing Debezium would put in "before" (it writes null there).
        Row oldRow = before != null && before.isKeyOnly() ? null : before;
        rowEvent(t, origin, "u", key, oldRow, after, c.lsn(), false);
    }

    private void delete(T t, O origin, Row before, K key, Lsn lsn) {
        rowEvent(t, origin, "d", key, before, null, lsn, false);
        if (tombstones && key != null) {
            tombstone(t, key);
        }
    }

    private K keyOf(T t, Row row, Row oldKey) {
        return t.hasKey() ? key(t, row, oldKey) : null;
    }

    /** The layout of {@code relation}'s table; {@code row} (null for none) gives the type resolver. */
    private T layout(Relation relation, Row row) {
        T t = layouts.get(relation.oid());
        if (row == null && t != null && t.relation() == relation) {
            return t;
        }
        TypeResolver types = row != null ? row.types() : lastTypes;
        lastTypes = types;
        if (t == null || t.relation() != relation || t.types() != types) {
            t = newLayout(relation, types);
            layouts.put(relation.oid(), t);
        }
        return t;
    }
}
