package io.pgferry.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.engine.schema.SourceTables;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Block-range planning for the parallel copy: pure sizes in, ranges out. */
class RangePlannerTest {

    /** A table with one leaf per size in 8 kB blocks; with none, a table the copy's pure parts can name. */
    static SourceTable table(String name, long... leafBlocks) {
        List<SourceTable.Leaf> leaves = new java.util.ArrayList<>();
        for (int i = 0; i < leafBlocks.length; i++) {
            leaves.add(new SourceTable.Leaf(i + 1, "\"public\".\"" + name + i + "\"", leafBlocks[i], -1));
        }
        return SourceTables.bare(name, 1, name, leaves, 0, Lsn.INVALID);
    }

    @Test
    void emptyAndSmallTablesAreOneOpenEndedRange() {
        List<CopyRange> ranges = RangePlanner.plan(List.of(table("empty", 0), table("small", 3)), 4);
        assertThat(ranges).hasSize(2);
        assertThat(ranges).allSatisfy(r -> {
            assertThat(r.fromBlock()).isZero();
            assertThat(r.toBlock()).isEqualTo(-1);
            assertThat(r.predicate()).isEmpty();
        });
    }

    @Test
    void largeTableIsSplitIntoContiguousRangesEndingOpen() {
        List<CopyRange> ranges = RangePlanner.plan(List.of(table("big", 100_000)), 4);
        // 100,000 blocks over 4 workers: 16 ranges of 6,250 blocks.
        assertThat(ranges).hasSize(16);
        long next = 0;
        for (int i = 0; i < ranges.size(); i++) {
            CopyRange r = ranges.get(i);
            assertThat(r.fromBlock()).isEqualTo(next);
            if (i < ranges.size() - 1) {
                assertThat(r.toBlock()).isEqualTo(r.fromBlock() + 6_250);
                next = r.toBlock();
            } else {
                assertThat(r.toBlock()).as("the last range reads to the end").isEqualTo(-1);
            }
        }
        assertThat(ranges.get(0).predicate()).isEqualTo(" WHERE ctid < '(6250,0)'::tid");
        assertThat(ranges.get(1).predicate()).isEqualTo(" WHERE ctid >= '(6250,0)'::tid AND ctid < '(12500,0)'::tid");
        assertThat(ranges.get(15).predicate()).isEqualTo(" WHERE ctid >= '(93750,0)'::tid");
    }

    @Test
    void largestTablesComeFirstAndRangesStayBetweenTheBounds() {
        List<CopyRange> ranges = RangePlanner.plan(
                List.of(table("small", 2_000), table("parts", 5_000, 500_000), table("mid", 50_000)), 2);
        assertThat(ranges.get(0).table().name().name()).isEqualTo("parts");
        assertThat(ranges.get(ranges.size() - 1).table().name().name()).isEqualTo("small");
        for (CopyRange r : ranges) {
            if (r.toBlock() >= 0) {
                assertThat(r.toBlock() - r.fromBlock()).isBetween(RangePlanner.MIN_BLOCKS, RangePlanner.MAX_BLOCKS);
            }
        }
    }
}
