package io.pgferry.bench;

import io.pgferry.core.Lsn;
import io.pgferry.postgres.connect.Dsn;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario C ({@code --big}): one transaction of 10,000,000 rows, far beyond the 64 MB off-heap budget, streamed by
 * pg_recvlogical, by the CLI and by the library in a child JVM, {@code --repetitions} times each in rotating order,
 * both pgferry JVMs with {@value #HEAP}. Shows that memory stays bounded (the transaction goes to spill files) and
 * what that costs.
 */
final class BigScenario {
    static final String HEAP = "-Xmx256m";

    private final BenchDatabase db;
    private final Target target;
    private final BenchOptions options;
    private final PrintStream out;
    private final PrintStream err;

    BigScenario(BenchDatabase db, Target target, BenchOptions options, PrintStream out, PrintStream err) {
        this.db = db;
        this.target = target;
        this.options = options;
        this.out = out;
        this.err = err;
    }

    void run(long firstId) throws Exception {
        Scenario s = Scenario.HUGE;
        String template = db.createTemplateSlot(s);
        err.printf(Locale.ROOT, "loading %s ...%n", s.label());
        long t0 = System.nanoTime();
        Lsn end = db.load(firstId, s.transactions(), s.rowsPerTransaction());
        err.printf(Locale.ROOT, "loaded in %.1f s, WAL end %s%n", (System.nanoTime() - t0) / 1e9, end);

        ResultTable table = new ResultTable();
        Map<String, Long> child = new HashMap<>();
        List<SlotRun> consumers = List.of(
                new SlotRun(
                        "pg_recvlogical", new RecvLogicalConsumer(target, options.recvlogical(), options.timeout())),
                new SlotRun(
                        "pgferry CLI",
                        new CliConsumer(target, options.launcher(), options.cliJar(), HEAP, options.timeout())),
                new SlotRun("pgferry library", null));
        for (int rep = 1; rep <= options.repetitions(); rep++) {
            for (SlotRun c : StreamBenchmark.rotated(consumers, rep)) {
                Measurement m = onCopy(
                        template,
                        c.name(),
                        rep,
                        slot -> c.consumer() == null
                                ? childLibrary(slot, end, child)
                                : c.consumer().run(slot, end));
                check(c.name(), m.rows(), s);
                table.add(s, c.name(), m);
            }
        }
        db.dropSlot(template);

        out.println();
        out.printf(
                Locale.ROOT,
                "Scenario C, median of %d runs; the CLI and the library run with %s%n",
                options.repetitions(),
                HEAP);
        out.print(table.render());
        out.printf(
                Locale.ROOT,
                "library (child JVM, %s): peak heap %.1f MB (sum of heap pools' peaks, max heap %.1f MB),"
                        + " peak off-heap %.1f MB%n",
                HEAP,
                mb(child.get("peak_heap_bytes")),
                mb(child.get("max_heap_bytes")),
                mb(child.get("peak_off_heap_bytes")));
        out.printf(
                Locale.ROOT,
                "spill: %d files, %.1f MB raw, %.1f MB on disk (%.1f %% of raw)%n",
                child.get("spill_files"),
                mb(child.get("spill_raw_bytes")),
                mb(child.get("spill_file_bytes")),
                child.get("spill_raw_bytes") == 0
                        ? 0.0
                        : 100.0 * child.get("spill_file_bytes") / child.get("spill_raw_bytes"));
    }

    /** A consumer of scenario C; a null consumer is the library in a child JVM. */
    private record SlotRun(String name, StreamConsumer consumer) {}

    /** One run on a slot. */
    private interface Run {
        Measurement run(String slot) throws Exception;
    }

    /** A run on a fresh copy of the template slot, dropped afterwards. */
    private Measurement onCopy(String template, String name, int rep, Run run) throws Exception {
        String slot = db.copySlot(template);
        try {
            Measurement m = run.run(slot);
            err.printf(Locale.ROOT, "[C %d/%d] %-16s %8.3f s%n", rep, options.repetitions(), name, m.seconds());
            return m;
        } finally {
            db.dropSlot(slot);
        }
    }

    /** The library in a child JVM with {@value #HEAP}; its RESULT line goes into {@code report}. */
    private Measurement childLibrary(String slot, Lsn end, Map<String, Long> report)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(
                java,
                HEAP,
                "-cp",
                System.getProperty("java.class.path"),
                LibraryChild.class.getName(),
                slot,
                end.toString(),
                Long.toString(options.timeout().toMinutes()));
        ChildProcess.Result r =
                ChildProcess.run(command, Map.of(Dsn.SOURCE_DSN_VARIABLE, target.dsnText()), options.timeout(), true);
        String line = r.stdout()
                .lines()
                .filter(l -> l.startsWith(LibraryChild.RESULT_PREFIX))
                .findFirst()
                .orElse(null);
        if (r.exitCode() != 0 || line == null) {
            throw new IOException(
                    "the library child JVM exited with " + r.exitCode() + ":\n" + Dsn.maskSecretsIn(r.stderrTail()));
        }
        for (String field : line.substring(LibraryChild.RESULT_PREFIX.length()).split(" ")) {
            String[] kv = field.split("=", 2);
            if (!kv[0].equals("seconds")) {
                report.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        // Wall time of the child process, JVM start-up included, like the CLI's.
        return new Measurement(r.seconds(), report.get("rows"));
    }

    private static void check(String consumer, long rows, Scenario s) {
        if (rows >= 0 && rows != s.rows()) {
            throw new IllegalStateException(String.format(
                    Locale.ROOT, "%s delivered %,d rows of %s, expected %,d", consumer, rows, s.label(), s.rows()));
        }
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
