package io.pgferry.core.value;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The array binary form (src/backend/utils/adt/arrayfuncs.c, array_send): int32 number of dimensions, int32 flags
 * (1 when there are NULLs), uint32 element type OID, then per dimension int32 length and int32 lower bound, then per
 * element in storage order an int32 byte length (-1 for NULL) and that many bytes of the element's binary form.
 */
final class ArrayBinary {
    private static final int MAX_DIMS = 6;

    /** Decodes one element's binary form, which lies at buf[offset, offset + length). */
    @FunctionalInterface
    interface ElementDecoder {
        Object decode(byte[] buf, int offset, int length);
    }

    private ArrayBinary() {}

    /**
     * The element OID in the data is not checked against {@code elementOid}: for an array over a domain it is the
     * domain's OID, which the caller has already resolved.
     */
    static PgArray decode(BinaryReader r, int elementOid, ElementDecoder element) {
        int ndim = r.readInt();
        int flags = r.readInt();
        r.readInt();
        if (ndim < 0 || ndim > MAX_DIMS || (flags & ~1) != 0) {
            throw new BadValueException("array with " + ndim + " dimensions or flags " + flags);
        }
        List<Integer> dims = new ArrayList<>(ndim);
        List<Integer> lower = new ArrayList<>(ndim);
        long total = ndim == 0 ? 0 : 1;
        for (int i = 0; i < ndim; i++) {
            int len = r.readInt();
            lower.add(r.readInt());
            if (len <= 0) {
                throw new BadValueException("array dimension of length " + len);
            }
            dims.add(len);
            total *= len;
            // Each element takes at least its 4-byte length word: a bound on what a well-formed value can claim.
            if (total * 4 > r.remaining()) {
                throw new BadValueException("array claims more elements than its bytes hold");
            }
        }
        List<Object> flat = new ArrayList<>((int) total);
        for (long i = 0; i < total; i++) {
            int len = r.readInt();
            if (len == -1) {
                flat.add(null);
            } else {
                int at = r.position();
                r.skip(len);
                flat.add(element.decode(r.buffer(), at, len));
            }
        }
        r.expectEnd();
        return new PgArray(elementOid, dims, lower, ndim == 0 ? List.of() : nest(flat, dims, 0, 0));
    }

    /** The elements of dimension depth starting at flat index from, as unmodifiable nested lists. */
    private static List<Object> nest(List<Object> flat, List<Integer> dims, int depth, int from) {
        int n = dims.get(depth);
        if (depth == dims.size() - 1) {
            return Collections.unmodifiableList(new ArrayList<>(flat.subList(from, from + n)));
        }
        int stride = 1;
        for (int i = depth + 1; i < dims.size(); i++) {
            stride *= dims.get(i);
        }
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(nest(flat, dims, depth + 1, from + i * stride));
        }
        return Collections.unmodifiableList(out);
    }
}
