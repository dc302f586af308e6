package io.pgferry.jdbc;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import java.util.Arrays;

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
