package io.pgferry.jdbc;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.value.BuiltinTypes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The order in which a run writes a table's keys: the order of the destination's primary-key index, closely enough.
 * A statement that reaches its rows through that index then walks it, and mostly the heap too, in one direction
 * instead of jumping about: the UPDATE of 4,000 random keys of a 1,000,000-row table took about 18 % less time with
 * its keys sorted (issue 5, docs/benchmarks.md). Concurrent writers of one table, such as the sink connector's tasks,
 * also lock its rows in one order, which keeps them out of each other's deadlocks.
 *
 * <p>Any total order is correct: a run holds each key once, so the order of its rows changes how fast a statement
 * runs, never what it does. Key values are what {@link Dialect#value} made of the source's text: integer columns'
 * canonical decimal text is compared as the number it spells, other text by its characters, byte arrays as unsigned
 * bytes, other values by their natural order; nulls come first.
 */
final class KeyOrder implements Comparator<Key> {
    /** Whether each key column holds an integer, whose text compares as a number. */
    private final boolean[] integer;

    private KeyOrder(boolean[] integer) {
        this.integer = integer;
    }

    /** The order of {@code relation}'s keys. */
    static KeyOrder of(Relation relation) {
        List<Column> keys = relation.columns().stream().filter(Column::key).toList();
        boolean[] integer = new boolean[keys.size()];
        for (int i = 0; i < integer.length; i++) {
            int type = keys.get(i).typeOid();
            integer[i] = type == BuiltinTypes.INT2
                    || type == BuiltinTypes.INT4
                    || type == BuiltinTypes.INT8
                    || type == BuiltinTypes.OID;
        }
        return new KeyOrder(integer);
    }

    /**
     * Sorts {@code items} by their keys in this order. A key of one integer column, the common case, is sorted as a
     * number packed with its item's position into one {@code long}: a primitive sort, without a comparison call per
     * pair of items (the catch-up's writers spent a fifth of their time in the comparator's sort, issue 5).
     */
    <T> void sort(List<T> items, Function<T, Key> keyOf) {
        if (integer.length == 1 && integer[0] && items.size() < 1 << POSITION_BITS && sortPacked(items, keyOf)) {
            return;
        }
        items.sort(Comparator.comparing(keyOf, this));
    }

    /** The bits of a packed key that hold the item's position. */
    private static final int POSITION_BITS = 24;
    /** Packed keys hold integers of magnitude below this; a run of larger ones is sorted by the comparator. */
    private static final long PACKED_LIMIT = 1L << (62 - POSITION_BITS);

    /** Sorts by the packed integer keys; false, with {@code items} unchanged, when a key does not fit. */
    private static <T> boolean sortPacked(List<T> items, Function<T, Key> keyOf) {
        long[] packed = new long[items.size()];
        for (int i = 0; i < packed.length; i++) {
            Object v = keyOf.apply(items.get(i)).value(0);
            long n;
            try {
                n = v instanceof String text ? Long.parseLong(text) : PACKED_LIMIT;
            } catch (NumberFormatException e) {
                return false;
            }
            if (n <= -PACKED_LIMIT || n >= PACKED_LIMIT) {
                return false;
            }
            packed[i] = ((n + PACKED_LIMIT) << POSITION_BITS) | i;
        }
        Arrays.sort(packed);
        List<T> sorted = new ArrayList<>(items.size());
        for (long p : packed) {
            sorted.add(items.get((int) (p & ((1 << POSITION_BITS) - 1))));
        }
        for (int i = 0; i < packed.length; i++) {
            items.set(i, sorted.get(i));
        }
        return true;
    }

    @Override
    public int compare(Key a, Key b) {
        int n = Math.min(a.size(), b.size());
        for (int k = 0; k < n; k++) {
            int c = compareValues(a.value(k), b.value(k), k < integer.length && integer[k]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object a, Object b, boolean integerText) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (a instanceof String x && b instanceof String y) {
            return integerText ? compareIntegerText(x, y) : x.compareTo(y);
        }
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.compareUnsigned(x, y);
        }
        if (a.getClass() == b.getClass() && a instanceof Comparable c) {
            return c.compareTo(b);
        }
        return a.getClass().getName().compareTo(b.getClass().getName());
    }

    /**
     * Compares two integers written as PostgreSQL writes them (an optional minus sign, then digits with no leading
     * zero) by their value, without parsing: a longer number of one sign is further from zero. Text of another form
     * still gets a consistent order, which is all correctness needs.
     */
    static int compareIntegerText(String a, String b) {
        boolean negA = a.startsWith("-");
        boolean negB = b.startsWith("-");
        if (negA != negB) {
            return negA ? -1 : 1;
        }
        int c = a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        return negA ? -c : c;
    }
}
