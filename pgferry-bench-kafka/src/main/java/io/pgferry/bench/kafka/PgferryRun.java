package io.pgferry.bench.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code pgferry sync --copy-mode none --until-caught-up} into Kafka, as a child process of the launcher users
 * run, timed from just before its start to its exit: JVM start-up, connecting, creating topics and, with
 * exactly-once, the producer's transactional set-up are in the figure.
 */
final class PgferryRun {
    private PgferryRun() {}

    /**
     * Runs the sync and returns its wall time in seconds. Its output goes to {@code log}, which is quoted (its last
     * lines) when it fails.
     *
     * @param atLeastOnce {@code delivery=at-least-once}; otherwise the default, exactly-once
     */
    static double run(Options options, String bootstrap, String slot, String prefix, boolean atLeastOnce, Path log)
            throws IOException, InterruptedException {
        String target = "kafka://" + bootstrap + "?topic.prefix=" + prefix
                + (atLeastOnce ? "&delivery=at-least-once" : "")
                + (options.targetOptions().isEmpty() ? "" : "&" + options.targetOptions());
        List<String> command = List.of(
                options.pgferry().toString(),
                "sync",
                "--source",
                options.source(),
                "--target",
                target,
                "--copy-mode",
                "none",
                "--until-caught-up",
                "--slot",
                slot,
                "--publication",
                options.publication());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        long t0 = System.nanoTime();
        Process p = pb.start();
        // A harness stopped by a signal takes its pgferry with it rather than leaving it streaming.
        Thread reaper = new Thread(() -> destroy(p), "bench-kafka-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            if (!p.waitFor(options.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("pgferry sync did not finish within "
                        + options.timeout().toMinutes() + " minutes; killed it (see " + log + ")");
            }
        } finally {
            if (p.isAlive()) {
                destroy(p);
                p.waitFor();
            }
            Runtime.getRuntime().removeShutdownHook(reaper);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            throw new IOException("pgferry sync exited with " + p.exitValue() + ":\n" + tail(log));
        }
        return seconds;
    }

    private static void destroy(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** The last lines of a run's log (pgferry's, Debezium's and Kafka's own messages, which quote no row values). */
    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
}
