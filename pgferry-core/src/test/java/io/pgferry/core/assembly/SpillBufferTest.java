package io.pgferry.core.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillBufferTest {
    @TempDir
    Path dir;

    @Test
    void recordsCrossingChunksAndSpillingComeBackInOrder() throws Exception {
        MemoryBudget budget = new MemoryBudget(2L * MemoryBudget.CHUNK_SIZE);
        SpillStats stats = new SpillStats();
        SpillBuffer b = new SpillBuffer(budget, dir, stats);
        Random random = new Random(42);
        List<byte[]> written = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            byte[] m = new byte[random.nextInt(20_000)];
            random.nextBytes(m);
            written.add(m);
            b.append(m, 0, m.length, i, i % 3);
        }
        assertThat(stats.files()).isEqualTo(1);
        assertThat(budget.peakInUseBytes()).isEqualTo(2L * MemoryBudget.CHUNK_SIZE);
        List<byte[]> read = new ArrayList<>();
        try (SpillBuffer.RecordCursor c = b.cursor(sub -> sub == 1)) {
            while (c.next()) {
                assertThat(c.lsn() % 3).isNotEqualTo(1);
                read.add(c.message());
            }
        }
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            if (i % 3 != 1) {
                expected.add(written.get(i));
            }
        }
        assertThat(read).containsExactlyElementsOf(expected);
        b.release();
        assertThat(dir.toFile().list()).isEmpty();
        // Chunks went back to the budget: a new buffer gets memory again.
        SpillBuffer again = new SpillBuffer(budget, dir, stats);
        again.append(new byte[10], 0, 10, 0, 0);
        assertThat(stats.files()).isEqualTo(1);
        again.release();
    }

    /**
     * A small buffer moved to the heap gives its chunk back at once and reads the same records; its release gives
     * nothing back twice. A buffer of several chunks, or one already read from, stays where it is.
     */
    @Test
    void aSmallBufferMovesToTheHeapAndGivesItsChunkBack() {
        MemoryBudget budget = new MemoryBudget(4L * MemoryBudget.CHUNK_SIZE);
        SpillStats stats = new SpillStats();
        SpillBuffer small = new SpillBuffer(budget, dir, stats);
        for (int i = 0; i < 5; i++) {
            byte[] m = ("change " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            small.append(m, 0, m.length, i, 0);
        }
        assertThat(budget.inUseBytes()).isEqualTo(MemoryBudget.CHUNK_SIZE);
        SpillBuffer.RecordCursor cursor = small.cursor(sub -> false);
        assertThat(small.moveToHeap(cursor)).isTrue();
        assertThat(budget.inUseBytes()).isZero();
        List<String> read = new ArrayList<>();
        while (cursor.next()) {
            read.add(new String(cursor.message(), java.nio.charset.StandardCharsets.UTF_8) + "@" + cursor.lsn());
        }
        assertThat(read).containsExactly("change 0@0", "change 1@1", "change 2@2", "change 3@3", "change 4@4");
        small.release();
        assertThat(budget.inUseBytes()).isZero();

        SpillBuffer large = new SpillBuffer(budget, dir, stats);
        byte[] big = new byte[MemoryBudget.CHUNK_SIZE];
        large.append(big, 0, big.length, 0, 0);
        assertThat(large.moveToHeap(large.cursor(sub -> false))).isFalse();
        large.release();

        SpillBuffer started = new SpillBuffer(budget, dir, stats);
        started.append(big, 0, 10, 0, 0);
        started.append(big, 0, 10, 1, 0);
        SpillBuffer.RecordCursor read1 = started.cursor(sub -> false);
        assertThat(read1.next()).isTrue();
        assertThat(started.moveToHeap(read1)).isFalse();
        started.release();
        assertThat(budget.inUseBytes()).isZero();
    }

    /**
     * A spill file is inflated on a thread of its own ahead of the reader: closing a cursor, read to its end or not,
     * must end that thread, or every spilled transaction would leave one behind.
     */
    @Test
    void closingACursorEndsItsReadAheadThreadWhetherReadToTheEndOrNot() throws Exception {
        MemoryBudget budget = new MemoryBudget(0);
        SpillStats stats = new SpillStats();
        for (int round = 0; round < 20; round++) {
            SpillBuffer b = new SpillBuffer(budget, dir, stats);
            byte[] m = new byte[50_000];
            new Random(round).nextBytes(m);
            for (int i = 0; i < 100; i++) {
                b.append(m, 0, m.length, i, 0);
            }
            try (SpillBuffer.RecordCursor c = b.cursor(sub -> false)) {
                // Half the rounds stop after one record, with most of the file still to inflate.
                int toRead = round % 2 == 0 ? 1 : Integer.MAX_VALUE;
                for (int n = 0; n < toRead && c.next(); n++) {
                    assertThat(c.message()).isEqualTo(m);
                }
            }
            b.release();
        }
        assertThat(stats.files()).isEqualTo(20);
        assertThat(dir.toFile().list()).isEmpty();
        // An executor's worker may still be leaving its run method when the close returns: join with a deadline.
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains("read-ahead")) {
                t.join(10_000);
                assertThat(t.isAlive())
                        .as("read-ahead thread %s ended", t.getName())
                        .isFalse();
            }
        }
    }

    @Property(tries = 50)
    void anySequenceRoundTrips(@ForAll @IntRange(min = 0, max = 3) int chunks, @ForAll long seed) {
        MemoryBudget budget = new MemoryBudget((long) chunks * MemoryBudget.CHUNK_SIZE);
        SpillBuffer b = new SpillBuffer(
                budget,
                dir == null ? Path.of(System.getProperty("java.io.tmpdir"), "pgferry-test") : dir,
                new SpillStats());
        Random random = new Random(seed);
        List<byte[]> written = new ArrayList<>();
        int n = random.nextInt(200);
        for (int i = 0; i < n; i++) {
            byte[] m = new byte[random.nextInt(3) == 0 ? random.nextInt(70_000) : random.nextInt(100)];
            random.nextBytes(m);
            written.add(m);
            b.append(m, 0, m.length, i, 0);
        }
        List<byte[]> read = new ArrayList<>();
        try (SpillBuffer.RecordCursor c = b.cursor(sub -> false)) {
            while (c.next()) {
                read.add(c.message());
            }
        }
        b.release();
        assertThat(read).containsExactlyElementsOf(written);
    }
}
