package io.pgferry.engine.copy;

import io.pgferry.engine.schema.SourceTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits the relations to copy into block ranges for parallel workers: the largest tables first, so the longest
 * copy starts at once; about four ranges a worker over all, so a worker that finishes early takes more; no range
 * under {@link #MIN_BLOCKS} (8 MB) nor over {@link #MAX_BLOCKS} (1 GB). Pure: sizes in, ranges out.
 */
final class RangePlanner {
    static final long MIN_BLOCKS = 1024;
    static final long MAX_BLOCKS = 131_072;

    private RangePlanner() {}

    static List<CopyRange> plan(List<SourceTable> tables, int workers) {
        long total = 0;
        for (SourceTable t : tables) {
            for (SourceTable.Leaf l : t.leaves()) {
                total += l.blocks();
            }
        }
        long size = Math.min(MAX_BLOCKS, Math.max(MIN_BLOCKS, ceilDiv(total, (long) workers * 4)));
        List<SourceTable> bySize = new ArrayList<>(tables);
        bySize.sort(Comparator.comparingLong((SourceTable t) ->
                        t.leaves().stream().mapToLong(SourceTable.Leaf::blocks).sum())
                .reversed());
        List<CopyRange> ranges = new ArrayList<>();
        for (SourceTable t : bySize) {
            for (SourceTable.Leaf l : t.leaves()) {
                ranges.addAll(split(t, l, size));
            }
        }
        return ranges;
    }

    static List<CopyRange> split(SourceTable t, SourceTable.Leaf leaf, long size) {
        List<CopyRange> out = new ArrayList<>();
        long from = 0;
        while (leaf.blocks() - from > size) {
            out.add(new CopyRange(t, leaf, from, from + size));
            from += size;
        }
        out.add(new CopyRange(t, leaf, from, -1));
        return out;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
