package io.pgferry.verify.diff;

import java.util.ArrayList;
import java.util.List;

/**
 * A range of keys: from {@code lower} (inclusive) to {@code upper} (exclusive), each a key tuple as text or null for
 * unbounded. The sub-segments of a split cover it exactly, with no overlap.
 */
record Segment(List<String> lower, List<String> upper) {
    static final Segment ALL = new Segment(null, null);

    /** The segments between consecutive bounds: below the first point, between each pair, above the last. */
    List<Segment> split(List<List<String>> points) {
        List<Segment> out = new ArrayList<>();
        List<String> from = lower;
        for (List<String> p : points) {
            out.add(new Segment(from, p));
            from = p;
        }
        out.add(new Segment(from, upper));
        return out;
    }
}
