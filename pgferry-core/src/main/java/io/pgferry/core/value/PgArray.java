package io.pgferry.core.value;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An array value. PostgreSQL arrays have any number of dimensions (up to 6), each with its own lower bound (1
 * unless the value was written with an explicit {@code [lower:upper]} prefix).
 *
 * @param elementOid the element type's OID
 * @param dims the length of each dimension, outermost first; empty for an empty array
 * @param lowerBounds the lower bound of each dimension, as many as {@code dims}
 * @param elements for one dimension the elements themselves; for n dimensions a list of dims[0] lists of the next
 *     dimension, down to the elements; a NULL element is {@code null}. Unmodifiable at every level.
 */
public record PgArray(int elementOid, List<Integer> dims, List<Integer> lowerBounds, List<Object> elements) {
    public PgArray {
        dims = List.copyOf(dims);
        lowerBounds = List.copyOf(lowerBounds);
        Objects.requireNonNull(elements, "elements");
        if (dims.size() != lowerBounds.size()) {
            throw new BadValueException(dims.size() + " dimensions but " + lowerBounds.size() + " lower bounds");
        }
        if (elements.size() != (dims.isEmpty() ? 0 : dims.get(0))) {
            throw new BadValueException("first dimension does not match the element count");
        }
        // List.copyOf rejects nulls, and NULL elements are null.
        elements = Collections.unmodifiableList(new ArrayList<>(elements));
    }

    /** An empty array ({@code {}}): no dimensions, no elements. */
    public static PgArray empty(int elementOid) {
        return new PgArray(elementOid, List.of(), List.of(), List.of());
    }

    /** A one-dimensional array with lower bound 1. */
    public static PgArray of(int elementOid, List<?> elements) {
        if (elements.isEmpty()) {
            return empty(elementOid);
        }
        return new PgArray(elementOid, List.of(elements.size()), List.of(1), new ArrayList<Object>(elements));
    }

    public int dimensions() {
        return dims.size();
    }

    /** Every element in storage order (the last index varying fastest), whatever the dimensions. */
    public List<Object> flatElements() {
        List<Object> out = new ArrayList<>();
        flatten(elements, dims.size(), out);
        return Collections.unmodifiableList(out);
    }

    private static void flatten(List<?> level, int depth, List<Object> out) {
        if (depth <= 1) {
            out.addAll(level);
            return;
        }
        for (Object sub : level) {
            flatten((List<?>) sub, depth - 1, out);
        }
    }
}
