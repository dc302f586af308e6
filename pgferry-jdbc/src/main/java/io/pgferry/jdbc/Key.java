package io.pgferry.jdbc;

import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import java.util.Arrays;

/** The replica identity values of a row, in key column order, as text: what identifies it at the destination. */
final class Key {
    private final String[] values;
    private final int hash;

    private Key(String[] values) {
        this.values = values;
        this.hash = Arrays.hashCode(values);
    }

    static Key of(Row row) {
        Relation relation = row.relation();
        int n = 0;
        for (int i = 0; i < relation.columns().size(); i++) {
            if (relation.columns().get(i).key()) {
                n++;
            }
        }
        String[] v = new String[n];
        int k = 0;
        for (int i = 0; i < relation.columns().size(); i++) {
            if (relation.columns().get(i).key()) {
                v[k++] = row.isNull(i) ? null : row.text(i);
            }
        }
        return new Key(v);
    }

    int size() {
        return values.length;
    }

    String value(int k) {
        return values[k];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key other && hash == other.hash && Arrays.equals(values, other.values);
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
