package io.pgferry.jdbc;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The replica identity values of a row, in key column order, as the dialect binds them: what identifies it at the
 * destination. Values may be byte arrays, so equality is deep.
 */
final class Key {
    private final Object[] values;
    private final int hash;

    private Key(Object[] values) {
        this.values = values;
        this.hash = Arrays.deepHashCode(values);
    }

    static Key of(Row row, Dialect dialect) {
        Relation relation = row.relation();
        int n = 0;
        for (int i = 0; i < relation.columns().size(); i++) {
            if (relation.columns().get(i).key()) {
                n++;
            }
        }
        Object[] v = new Object[n];
        int k = 0;
        for (int i = 0; i < relation.columns().size(); i++) {
            Column c = relation.columns().get(i);
            if (c.key()) {
                v[k++] = row.isNull(i) ? null : dialect.value(relation, i, row.text(i));
            }
        }
        return new Key(v);
    }

    /**
     * The key of a row of {@code relation} held as the dialect binds its values ({@link Writes#values}): equal to
     * {@link #of(Row, Dialect)} of the row.
     */
    static Key of(Object[] row, int[] keyColumns) {
        Object[] v = new Object[keyColumns.length];
        for (int k = 0; k < v.length; k++) {
            v[k] = row[keyColumns[k]];
        }
        return new Key(v);
    }

    /** The positions of {@code relation}'s key columns among its columns, in column order. */
    static int[] columns(Relation relation) {
        return IntStream.range(0, relation.columns().size())
                .filter(i -> relation.columns().get(i).key())
                .toArray();
    }

    /**
     * Which of two halves the key falls in, 0 or 1, for splitting a table's rows between two sessions ({@link
     * ApplyLane}). Invariant: the same for equal keys in every process, since a session's half is recorded and read
     * back after a restart; it holds because the values are strings and byte arrays, whose hash codes the Java
     * platform specifies. The multiplier spreads keys whose hash codes differ in their low bits only (consecutive
     * numbers) evenly over the halves.
     */
    int half() {
        return (hash * 0x9E3779B9) >>> 31;
    }

    int size() {
        return values.length;
    }

    Object value(int k) {
        return values[k];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key other && hash == other.hash && Arrays.deepEquals(values, other.values);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        // Key values are row values: never printed.
        return "Key[" + values.length + " columns]";
    }
}
