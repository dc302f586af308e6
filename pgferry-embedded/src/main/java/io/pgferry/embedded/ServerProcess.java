package io.pgferry.embedded;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The postmaster, started directly as a child of the JVM (not through pg_ctl) so that the JVM holds its pid and sees
 * its exit. Its stdout and stderr go to {@code postgres.log} in the data directory.
 */
final class ServerProcess {
    /** The line PostgreSQL logs once it accepts connections (postmaster.c, unchanged since 10). */
    static final String READY = "database system is ready to accept connections";
    /** What a hot standby logs once it is consistent and takes queries. */
    static final String READY_STANDBY = "database system is ready to accept read-only connections";

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

    private final Process process;
    private final Path logFile;

    private ServerProcess(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
    }

    /** Thrown when the server does not come up; {@link #portTaken()} says whether another port may help. */
    static final class StartupFailure extends EmbeddedPostgresException {
        private static final long serialVersionUID = 1L;
        private final boolean portTaken;

        StartupFailure(String message, boolean portTaken) {
            super(message);
            this.portTaken = portTaken;
        }

        boolean portTaken() {
            return portTaken;
        }
    }

    static ServerProcess start(
            Binaries binaries,
            PrivilegeDrop drop,
            Path dataDirectory,
            Path socketDirectory,
            int port,
            Duration timeout) {
        List<String> command = drop.command(List.of(
                binaries.program("postgres").toString(),
                "-D",
                dataDirectory.toString(),
                "-p",
                Integer.toString(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=" + socketDirectory));
        Path logFile = dataDirectory.resolve("postgres.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
        ExternalCommand.scrubEnvironment(builder.environment());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        ServerProcess server = new ServerProcess(process, logFile);
        try {
            server.awaitReady(port, timeout);
        } catch (RuntimeException e) {
            server.stop(Duration.ofSeconds(10));
            throw e;
        }
        return server;
    }

    /** Polls (bounded by {@code timeout}) until the log says ready and the port accepts TCP connections. */
    private void awaitReady(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                String log = LogTail.read(logFile);
                boolean portTaken = log.contains("could not bind") || log.contains("could not create any TCP/IP");
                throw new StartupFailure(
                        "PostgreSQL exited with code " + process.exitValue() + " while starting: "
                                + LogTail.oneLine(log, 5),
                        portTaken);
            }
            String log = LogTail.read(logFile);
            if ((log.contains(READY) || log.contains(READY_STANDBY)) && accepts(port)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StartupFailure(
                        "PostgreSQL did not accept connections within " + timeout.toSeconds() + " s: "
                                + LogTail.oneLine(logFile, 5),
                        false);
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new EmbeddedPostgresException("interrupted while waiting for PostgreSQL to start");
            }
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Stops the server: SIGINT is PostgreSQL's "fast shutdown" (roll back open transactions, disconnect clients,
     * checkpoint). If that misses the deadline, SIGQUIT ("immediate shutdown"), then SIGKILL. See the PostgreSQL docs,
     * "Shutting Down the Server". Java's Process.destroy() would send SIGTERM, a "smart shutdown" that waits for every
     * client to disconnect, which a leaked connection would turn into a hang.
     */
    void stop(Duration timeout) {
        if (signalAndWait("INT", timeout) || signalAndWait("QUIT", timeout)) {
            return;
        }
        process.destroyForcibly();
        waitFor(timeout);
    }

    /** SIGQUIT, PostgreSQL's "immediate shutdown": what a crash leaves behind, recovered at the next start. */
    void crash(Duration timeout) {
        if (!signalAndWait("QUIT", timeout)) {
            process.destroyForcibly();
            waitFor(timeout);
        }
    }

    private boolean signalAndWait(String signal, Duration timeout) {
        if (!process.isAlive()) {
            return true;
        }
        try {
            ExternalCommand.run(List.of("kill", "-" + signal, Long.toString(process.pid())), Duration.ofSeconds(10));
        } catch (EmbeddedPostgresException e) {
            // It may have exited between isAlive() and kill; waitFor below tells.
        }
        return waitFor(timeout);
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
