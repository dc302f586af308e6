package io.pgferry.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.CopyChunks;
import io.pgferry.postgres.catalog.TableName;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pure parts of key-range planning: bounds from a sorted sample, chunks from bounds, and the SQL of a chunk.
 * The planning queries themselves run against a real server in {@link ChunkedCopyTest}.
 */
class ChunkPlannerTest {

    private static List<List<String>> keys(int... values) {
        List<List<String>> out = new ArrayList<>();
        for (int v : values) {
            out.add(List.of(Integer.toString(v)));
        }
        return out;
    }

    @Test
    void boundsAreSpreadEvenlyOverTheSample() {
        assertThat(ChunkPlanner.quantiles(keys(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 4))
                .isEqualTo(keys(4, 7, 10));
    }

    @Test
    void repeatedKeysInASampleGiveOneBound() {
        // A composite key's leading column sampled from few distinct values repeats in the sample.
        assertThat(ChunkPlanner.quantiles(keys(1, 1, 1, 1, 2, 2, 2, 2), 4)).isEqualTo(keys(1, 2));
    }

    @Test
    void anEmptySampleOrOneChunkGivesNoBound() {
        assertThat(ChunkPlanner.quantiles(List.of(), 10)).isEmpty();
        assertThat(ChunkPlanner.quantiles(keys(1, 2, 3), 1)).isEmpty();
    }

    @Test
    void aSampleSmallerThanTheChunksGivesFewerBounds() {
        // The smallest sampled key is never a bound: the chunk below it would hold only keys the sample missed.
        assertThat(ChunkPlanner.quantiles(keys(5, 9), 10)).isEqualTo(keys(9));
    }

    @Test
    void chunksAreConsecutiveAndOpenAtBothEnds() {
        List<CopyChunks.Chunk> chunks = ChunkPlanner.chunks("public.t", "public.t", keys(10, 20));
        assertThat(chunks).hasSize(3);
        assertThat(chunks.get(0).lower()).isNull();
        assertThat(chunks.get(0).upper()).isEqualTo(List.of("10"));
        assertThat(chunks.get(1).lower()).isEqualTo(List.of("10"));
        assertThat(chunks.get(1).upper()).isEqualTo(List.of("20"));
        assertThat(chunks.get(2).lower()).isEqualTo(List.of("20"));
        assertThat(chunks.get(2).upper()).isNull();
        assertThat(chunks).extracting(CopyChunks.Chunk::number).containsExactly(0, 1, 2);
        assertThat(ChunkPlanner.chunks("public.t", "public.t", List.of()))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.lower()).isNull();
                    assertThat(c.upper()).isNull();
                });
    }

    @Test
    void aChunkComparesItsKeyAsARowWithQuotedTypedBounds() {
        SourceTable t = new SourceTable(
                new TableName("public", "t"),
                1,
                "public.t",
                'd',
                null,
                List.of(),
                List.of("a", "B\"c"),
                List.of(),
                List.of(),
                List.of(),
                0,
                0,
                Lsn.INVALID,
                null);
        SourceTable.Leaf leaf = new SourceTable.Leaf(1, "public.t", 1, 1);
        CopyChunks.Chunk middle =
                new CopyChunks.Chunk("public.t", "public.t", 1, List.of("1", "it's"), List.of("2", "\\x"), 0, false);
        assertThat(new KeyRange(t, leaf, middle, List.of("integer", "\"s\".\"my type\"")).predicate())
                .isEqualTo(" WHERE (\"a\", \"B\"\"c\") >= ('1'::integer, 'it''s'::\"s\".\"my type\") AND (\"a\","
                        + " \"B\"\"c\") < ('2'::integer, '\\x'::\"s\".\"my type\")");
        CopyChunks.Chunk whole = new CopyChunks.Chunk("public.t", "public.t", 0, null, null, 0, false);
        assertThat(new KeyRange(t, leaf, whole, List.of("integer", "text")).predicate())
                .isEmpty();
        assertThat(new KeyRange(t, leaf, middle, List.of("integer", "text")).toString())
                .as("no key value in what is logged")
                .doesNotContain("it's");
    }
}
