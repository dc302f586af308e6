package io.pgferry.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops servers and deletes run directories left behind by JVMs that died without running their shutdown hooks
 * (kill -9, a surefire fork killed on timeout). A postmaster does not notice its parent's death, so without this
 * each such JVM would leave a server running until the machine reboots.
 *
 * <p>Each run directory holds an {@value #OWNER_FILE} file naming the JVM that created it (pid and start time, so a
 * reused pid is not mistaken for the owner). A directory is reaped only when that JVM is gone; a directory without
 * the file may be in the middle of being created and is left alone.
 */
final class OrphanedServers {
    static final String RUN_PREFIX = "pgferry-pg-run-";
    static final String OWNER_FILE = "owner";

    private static final Logger LOG = LoggerFactory.getLogger(OrphanedServers.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private OrphanedServers() {}

    /** Records the current JVM as the owner of {@code runDirectory}. */
    static void claim(Path runDirectory) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        long started = self.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        Files.writeString(runDirectory.resolve(OWNER_FILE), self.pid() + " " + started + "\n", StandardCharsets.UTF_8);
    }

    /** Reaps the orphaned run directories below {@code parent}; problems are logged, never thrown. */
    static void reap(Path parent) {
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(parent, RUN_PREFIX + "*")) {
            for (Path run : runs) {
                if (isOrphaned(run)) {
                    stopServer(run.resolve("data"));
                    FileTree.deleteQuietly(run);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot look for orphaned PostgreSQL servers in {}: {}", parent, e.toString());
        }
    }

    private static boolean isOrphaned(Path run) {
        List<String> owner;
        try {
            owner = List.of(Files.readString(run.resolve(OWNER_FILE), StandardCharsets.UTF_8)
                    .strip()
                    .split(" "));
        } catch (IOException e) {
            return false;
        }
        if (owner.size() != 2) {
            return false;
        }
        long pid;
        long started;
        try {
            pid = Long.parseLong(owner.get(0));
            started = Long.parseLong(owner.get(1));
        } catch (NumberFormatException e) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        return process.isEmpty()
                || process.get()
                        .info()
                        .startInstant()
                        .map(instant -> Math.abs(instant.toEpochMilli() - started) > 1000)
                        .orElse(false);
    }

    /** Fast shutdown of the postmaster named in postmaster.pid, if that process still runs on this data directory. */
    private static void stopServer(Path dataDirectory) {
        Optional<ProcessHandle> postmaster = postmaster(dataDirectory);
        if (postmaster.isEmpty()) {
            return;
        }
        LOG.info(
                "stopping PostgreSQL (pid {}) left behind in {}",
                postmaster.get().pid(),
                dataDirectory);
        try {
            ExternalCommand.run(
                    List.of("kill", "-INT", Long.toString(postmaster.get().pid())), Duration.ofSeconds(10));
            postmaster.get().onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (EmbeddedPostgresException | ExecutionException | TimeoutException e) {
            LOG.warn("could not stop PostgreSQL (pid {}): {}", postmaster.get().pid(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The live process whose pid is on the first line of postmaster.pid, provided its command line names this data
     * directory: after a reboot the pid may belong to an unrelated process.
     */
    private static Optional<ProcessHandle> postmaster(Path dataDirectory) {
        try {
            String pidLine = Files.readAllLines(dataDirectory.resolve("postmaster.pid"), StandardCharsets.UTF_8)
                    .get(0)
                    .strip();
            return ProcessHandle.of(Long.parseLong(pidLine)).filter(process -> process.info()
                    .commandLine()
                    .map(line -> line.contains(dataDirectory.toString()))
                    .orElse(false));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
