package io.pgferry.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.engine.schema.SourceTables;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression test for issue 5: the time left of a copy was estimated from the bytes COPY sent against the tables'
 * sizes on disk, which for a small table (a page at least) are far apart: a copy of thousands of small tables said
 * "0.0 MB/s, about 652 s left" seconds before it ended.
 */
class CopyProgressTest {

    private static SourceTable table(String name, long bytes) {
        return SourceTables.bare(name, 1, name, List.of(), bytes, Lsn.INVALID);
    }

    @Test
    void aFinishedTableCountsAsItsWholeEstimateAndAnUnfinishedOneUpToIt() {
        List<SourceTable> tables = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            tables.add(table("small" + i, 8192));
        }
        SourceTable big = table("big", 1 << 30);
        tables.add(big);
        CopyProgress p = new CopyProgress(tables, t -> 1);
        for (int i = 0; i < 1000; i++) {
            CopyProgress.Table small = p.table(tables.get(i).name());
            small.addBytes(120);
            small.finishRange(3);
        }
        p.table(big.name()).addBytes(1 << 29);

        assertThat(p.bytes()).isEqualTo(1000 * 120L + (1 << 29));
        assertThat(p.estimatedBytesDone()).isEqualTo(1000 * 8192L + (1 << 29));
        assertThat(p.estimatedBytes()).isEqualTo(1000 * 8192L + (1 << 30));

        // More sent than estimated (a table grown since its size was read) counts as its estimate until it is done.
        p.table(big.name()).addBytes(1L << 30);
        assertThat(p.estimatedBytesDone()).isEqualTo(p.estimatedBytes());
    }
}
