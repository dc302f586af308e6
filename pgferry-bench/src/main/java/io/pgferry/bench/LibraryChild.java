package io.pgferry.bench;

import io.pgferry.core.Lsn;
import io.pgferry.postgres.StreamStats;
import io.pgferry.postgres.connect.Dsn;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Runs the library consumer in a JVM of its own (started by {@link BigScenario} with a small {@code -Xmx}) and
 * prints one {@code RESULT key=value ...} line with the time, the rows, the peak heap and the spill counters.
 *
 * <p>Arguments: slot, end LSN, timeout in minutes; the DSN comes from {@value Dsn#SOURCE_DSN_VARIABLE}.
 */
final class LibraryChild {
    static final String RESULT_PREFIX = "RESULT ";

    private LibraryChild() {}

    public static void main(String[] args) throws Exception {
        Dsn dsn = Dsn.fromEnvironmentOr(null);
        LibraryConsumer.Result r = LibraryConsumer.stream(
                dsn,
                BenchDatabase.PUBLICATION,
                args[0],
                Lsn.parse(args[1]),
                Duration.ofMinutes(Long.parseLong(args[2])));
        StreamStats s = r.stats();
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        out.println(String.format(
                Locale.ROOT,
                RESULT_PREFIX
                        + "seconds=%.3f rows=%d peak_heap_bytes=%d max_heap_bytes=%d spill_files=%d"
                        + " spill_raw_bytes=%d spill_file_bytes=%d peak_off_heap_bytes=%d",
                r.seconds(),
                r.rows(),
                peakHeapBytes(),
                Runtime.getRuntime().maxMemory(),
                s.spillFiles(),
                s.spillRawBytes(),
                s.spillFileBytes(),
                s.peakOffHeapBytes()));
    }

    /**
     * The sum of every heap pool's peak usage (eden, survivor, old generation). The pools peak at different
     * moments, so this is an upper bound of the heap ever in use at once.
     */
    static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
