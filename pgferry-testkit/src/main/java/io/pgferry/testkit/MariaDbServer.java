package io.pgferry.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The MariaDB server shared by every test of a JVM, for the MySQL/MariaDB destination: Debian's {@code mariadb-server}
 * binaries (installed by {@code .ci/run} when missing), a data directory of its own under the temporary folder, a
 * free port on 127.0.0.1, started on first use and stopped by a shutdown hook. As root, the server runs as the
 * package's unprivileged {@code mysql} user. Connections as user {@code pgferry}, who may do everything. The server
 * also takes TLS connections, with a certificate for 127.0.0.1 from a throw-away CA ({@link #certificates()}), whose
 * client certificate users created {@code REQUIRE X509} accept.
 */
public final class MariaDbServer {
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static MariaDbServer shared;
    private static RuntimeException startFailure;

    private final Path directory;
    private final Process process;
    private final int port;
    private final String password;
    private final TestCertificates certificates;

    private MariaDbServer(Path directory, Process process, int port, String password, TestCertificates certificates) {
        this.directory = directory;
        this.process = process;
        this.port = port;
        this.password = password;
        this.certificates = certificates;
    }

    /** The shared server, started on the first call; a failed start fails every later call fast, with its cause. */
    public static synchronized MariaDbServer shared() {
        if (shared != null) {
            return shared;
        }
        if (startFailure != null) {
            throw new IllegalStateException(
                    "MariaDB failed to start earlier: " + startFailure.getMessage(), startFailure);
        }
        try {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "pgferry-mariadb-shutdown"));
            return shared;
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String user() {
        return "pgferry";
    }

    /** The password of {@link #user()}; never log it. */
    public String password() {
        return password;
    }

    /** {@code jdbc:mariadb://127.0.0.1:PORT/database}; the credentials are in {@link #jdbcProperties()}. */
    public String jdbcUrl(String database) {
        return "jdbc:mariadb://" + host() + ":" + port + "/" + database;
    }

    /** user and password for MariaDB Connector/J; a new copy each call. */
    public Properties jdbcProperties() {
        Properties p = new Properties();
        p.setProperty("user", user());
        p.setProperty("password", password);
        return p;
    }

    /** A new connection to {@code database} (empty for none); the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), jdbcProperties());
    }

    /** Runs each statement in autocommit, in order, on one connection to {@code database}. */
    public void execute(String database, String... sql) throws SQLException {
        try (Connection c = connect(database);
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    /** Creates a new, empty database {@code t_<random hex>} (utf8mb4); the caller drops it with {@link #drop}. */
    public String createDatabase() throws SQLException {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        String name = "t_" + HexFormat.of().formatHex(random);
        execute("", "CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        return name;
    }

    public void drop(String database) throws SQLException {
        execute("", "DROP DATABASE IF EXISTS `" + database.replace("`", "``") + "`");
    }

    /** The CA that signed the server's certificate, and a client certificate it signed. */
    public TestCertificates certificates() {
        return certificates;
    }

    /** The server's log, for diagnosing a failed test. */
    public Path logFile() {
        return directory.resolve("mariadb.log");
    }

    private static MariaDbServer start() {
        Path server = binary("mariadbd", "/usr/sbin/mariadbd");
        Path installDb = binary("mariadb-install-db", "/usr/bin/mariadb-install-db");
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dir = Files.createTempDirectory("pgferry-mariadb-");
            Path data = dir.resolve("data");
            byte[] random = new byte[12];
            RANDOM.nextBytes(random);
            String password = HexFormat.of().formatHex(random);
            Files.writeString(
                    dir.resolve("init.sql"),
                    "CREATE USER IF NOT EXISTS 'pgferry'@'127.0.0.1' IDENTIFIED BY '" + password + "';\n"
                            + "GRANT ALL PRIVILEGES ON *.* TO 'pgferry'@'127.0.0.1' WITH GRANT OPTION;\n",
                    StandardCharsets.UTF_8);
            TestCertificates certificates = TestCertificates.generate(dir);
            if (root) {
                run(List.of("chown", "-R", "mysql:mysql", dir.toString()), dir.resolve("chown.log"));
            }
            List<String> install = new ArrayList<>(List.of(
                    installDb.toString(),
                    "--no-defaults",
                    "--datadir=" + data,
                    "--auth-root-authentication-method=socket",
                    "--skip-test-db"));
            if (root) {
                install.add("--user=mysql");
            }
            run(install, dir.resolve("install.log"));
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(
                    server.toString(),
                    "--no-defaults",
                    "--datadir=" + data,
                    "--socket=" + dir.resolve("mysqld.sock"),
                    "--pid-file=" + dir.resolve("mysqld.pid"),
                    "--port=" + port,
                    "--bind-address=127.0.0.1",
                    "--init-file=" + dir.resolve("init.sql"),
                    "--character-set-server=utf8mb4",
                    "--collation-server=utf8mb4_bin",
                    "--innodb-buffer-pool-size=128M",
                    "--innodb-flush-log-at-trx-commit=2",
                    "--local-infile=1",
                    "--ssl-ca=" + certificates.caCertificate(),
                    "--ssl-cert=" + certificates.serverCertificate(),
                    "--ssl-key=" + certificates.serverKey()));
            if (root) {
                command.add("--user=mysql");
            }
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mariadb.log").toFile())
                    .start();
            MariaDbServer s = new MariaDbServer(dir, p, port, password, certificates);
            s.awaitReady();
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start MariaDB: " + e.getMessage(), e);
        }
    }

    /** Polls, with a deadline, until {@code pgferry} can connect; fails at once if the server exits. */
    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "MariaDB exited with code " + process.exitValue() + " while starting;" + " see " + logFile());
            }
            try (Connection c = connect("")) {
                if (c.isValid(5)) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(50); // polling interval of the wait for the server, not a synchronisation of tests
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for MariaDB", e);
            }
        }
        stop();
        throw new IllegalStateException(
                "MariaDB did not accept connections within " + STARTUP.toSeconds() + " s: "
                        + (last == null ? "" : last.getMessage()) + "; see " + logFile(),
                last);
    }

    /** SIGTERM, MariaDB's normal shutdown, then SIGKILL after 30 s; deletes the data directory. */
    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(directory);
    }

    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a leftover in the temporary folder; the next run's directory is another
                }
            });
        } catch (IOException e) {
            // already gone, or unreadable: nothing more to do at exit
        }
    }

    private static Path binary(String name, String debianPath) {
        Path p = Path.of(debianPath);
        if (Files.isExecutable(p)) {
            return p;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, name);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(name + " not found: install Debian's mariadb-server (apt-get install"
                + " mariadb-server; .ci/run does it when run as root)");
    }

    private static void run(List<String> command, Path log) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish within 120 s; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command.get(0) + " failed with exit code " + p.exitValue() + ": "
                    + Files.readString(log, StandardCharsets.UTF_8)
                            .strip()
                            .lines()
                            .reduce((a, b) -> b)
                            .orElse(""));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
