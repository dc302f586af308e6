package io.pgferry.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a program to completion and times it from just before start to its exit. */
final class ChildProcess {
    /**
     * @param exitCode the program's exit status
     * @param seconds wall time from start to exit
     * @param stdout what it wrote to standard output (empty when discarded)
     * @param stderr what it wrote to standard error
     */
    record Result(int exitCode, double seconds, String stdout, String stderr) {
        /** The last lines of stderr, for an error message. */
        String stderrTail() {
            String[] lines = stderr.strip().split("\n");
            int from = Math.max(0, lines.length - 15);
            return String.join("\n", List.of(lines).subList(from, lines.length));
        }
    }

    private ChildProcess() {}

    /**
     * Runs {@code command} with {@code environment} added to this process's. Output goes to files (or /dev/null), not
     * pipes, so a chatty program can never block on a full pipe while it is being timed.
     *
     * @param keepStdout false sends standard output to /dev/null
     * @throws IOException when it cannot start, or runs longer than {@code timeout} (it is then killed)
     */
    static Result run(List<String> command, Map<String, String> environment, Duration timeout, boolean keepStdout)
            throws IOException, InterruptedException {
        try (ScratchDirectory logs = ScratchDirectory.create("pgferry-bench-child")) {
            Path out = logs.path().resolve("stdout");
            Path err = logs.path().resolve("stderr");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectOutput(
                            keepStdout ? ProcessBuilder.Redirect.to(out.toFile()) : ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile())
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(environment);
            long t0 = System.nanoTime();
            Process p = pb.start();
            try {
                if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new IOException(
                            command.get(0) + " did not finish within " + timeout.toMinutes() + " minutes; killed it");
                }
            } finally {
                if (p.isAlive()) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Result(
                    p.exitValue(),
                    seconds,
                    keepStdout ? Files.readString(out, StandardCharsets.UTF_8) : "",
                    Files.readString(err, StandardCharsets.UTF_8));
        }
    }
}
