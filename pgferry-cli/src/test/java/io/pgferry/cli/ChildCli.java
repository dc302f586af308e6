package io.pgferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code pgferry} in a child JVM on the test class path, as a user runs it: commands that write JSON to the
 * process's standard output ({@code FileDescriptor.out}) cannot be captured in-process.
 *
 * @param exitCode the process's exit code
 * @param stdout the file holding what it wrote to standard output
 * @param err what it wrote to standard error
 */
public record ChildCli(int exitCode, Path stdout, String err) {
    /**
     * {@code java -cp <test class path> Main}: the command that runs {@code pgferry} in a child JVM. The child runs
     * seconds, not hours: with the C1 compiler only and the serial collector it spends its CPU on the test's work, not
     * on compiling (the launcher's defaults for short commands, see the {@code pgferry} script).
     */
    public static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Starts {@code pgferry args} in the background, appending its standard output and error to the files given. */
    public static Process start(Path stdout, Path stderr, String... args) throws IOException {
        return start(stdout, stderr, Map.of(), args);
    }

    /** Like {@link #start(Path, Path, String...)}, with {@code env} added to the child's environment. */
    public static Process start(Path stdout, Path stderr, Map<String, String> env, String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(args))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
        builder.environment().putAll(env);
        Process p = builder.start();
        LEFT_RUNNING.add(p);
        return p;
    }

    /**
     * Children started in the background, killed when the test JVM ends if still running: a test that fails half-way
     * does not stop its command, which went on streaming (and holding its slot) after the build.
     */
    private static final List<Process> LEFT_RUNNING = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LEFT_RUNNING.forEach(Process::destroyForcibly)));
    }

    /** Runs {@code pgferry args} with {@code env} added, and fails the test if it has not ended by {@code deadline}. */
    public static ChildCli run(Path dir, Duration deadline, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Path stdout = Files.createTempFile(dir, "stdout", ".txt");
        Path stderr = Files.createTempFile(dir, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command(args))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        boolean exited = p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        assertThat(exited)
                .as("pgferry %s ended within %s; stderr: %s", args[0], deadline, err)
                .isTrue();
        return new ChildCli(p.exitValue(), stdout, err);
    }

    public List<String> errLines() {
        return err.lines().toList();
    }

    /** A condition a test waits for; may throw what its query throws. */
    public interface Check {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code check} until it holds, for at most 90 s, failing at once with the child's standard error (the file
     * {@code stderr}, when it exists) if {@code p} ends first. The sleep is the poll's interval, not a synchronisation.
     */
    public static void awaitWhileAlive(Check check, Process p, Path stderr) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!check.holds()) {
            if (!p.isAlive()) {
                throw new AssertionError("pgferry ended before the condition held: "
                        + (Files.exists(stderr) ? Files.readString(stderr) : "(no standard error)"));
            }
            assertThat(System.nanoTime()).as("condition within 90 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
