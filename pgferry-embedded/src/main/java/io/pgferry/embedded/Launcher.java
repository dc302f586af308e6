package io.pgferry.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and starts a cluster in a fresh run directory below {@code java.io.tmpdir}:
 *
 * <pre>
 * pgferry-pg-run-N/   owned by the server's user, 0700
 *   owner             the JVM that created it (see {@link OrphanedServers})
 *   data/             initdb's data directory; postgres.log is the server's output
 *   socket/           unix_socket_directories
 *   tls/              ca.crt, server.crt, server.key (with ssl)
 * </pre>
 *
 * On failure the run directory is deleted and nothing keeps running.
 */
final class Launcher {
    private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(2);
    private static final int PORT_ATTEMPTS = 3;

    private Launcher() {}

    /** @param archive a zonky binaries jar to run instead of the one on the class path, or null */
    record Options(int port, boolean fsync, boolean ssl, Map<String, String> settings, Path archive) {}

    record Launched(
            Binaries binaries,
            int port,
            String password,
            Path workDirectory,
            Path socketDirectory,
            Optional<Path> caCertificate,
            ServerProcess server) {
        Path dataDirectory() {
            return workDirectory.resolve("data");
        }
    }

    static Launched launch(Options options) {
        Binaries binaries = Binaries.install(options.archive());
        PrivilegeDrop drop = PrivilegeDrop.detect();
        drop.requireReachable(binaries.program("postgres"));
        Path temporary = Paths.get(System.getProperty("java.io.tmpdir"));
        OrphanedServers.reap(temporary);
        Path work = newRunDirectory(temporary);
        try {
            return launchIn(work, binaries, drop, options);
        } catch (RuntimeException e) {
            FileTree.deleteQuietly(work);
            throw e;
        }
    }

    private static Launched launchIn(Path work, Binaries binaries, PrivilegeDrop drop, Options options) {
        drop.handOver(work);
        drop.requireReachable(work.resolve("data"));
        String password = randomPassword();
        Path data = work.resolve("data");
        Path sockets = work.resolve("socket");
        Map<String, String> conf = ClusterConfig.defaults(options.fsync());
        Optional<Path> ca = Optional.empty();
        try {
            initdb(binaries, drop, work, data, password, options.fsync());
            Files.createDirectory(
                    sockets, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            drop.handOver(sockets);
            if (options.ssl()) {
                TlsCertificates tls = TlsCertificates.generate(work.resolve("tls"), drop);
                conf.put("ssl", "on");
                conf.put("ssl_cert_file", tls.serverCertificate().toString());
                conf.put("ssl_key_file", tls.serverKey().toString());
                ca = Optional.of(tls.caCertificate());
            }
            conf.putAll(options.settings());
            ClusterConfig.write(data, conf);
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot prepare the data directory " + data + ": " + e, e);
        }
        for (int attempt = 1; ; attempt++) {
            int port = options.port() != 0 ? options.port() : freePort();
            try {
                ServerProcess server = ServerProcess.start(binaries, drop, data, sockets, port, STARTUP_TIMEOUT);
                LOG.info(
                        "PostgreSQL {} listening on {}:{} (data {})",
                        binaries.majorVersion(),
                        EmbeddedPostgres.HOST,
                        port,
                        data);
                return new Launched(binaries, port, password, work, sockets, ca, server);
            } catch (ServerProcess.StartupFailure e) {
                // A port we picked can be taken by someone else before the server binds it; pick again.
                if (options.port() != 0 || !e.portTaken() || attempt >= PORT_ATTEMPTS) {
                    throw e;
                }
                LOG.debug("port {} was taken before PostgreSQL could bind it; trying another", port);
            }
        }
    }

    /** A new run directory below {@code temporary}, claimed by this JVM (see {@link OrphanedServers}). */
    static Path newRunDirectory(Path temporary) {
        try {
            Path work = Files.createTempDirectory(temporary, OrphanedServers.RUN_PREFIX);
            OrphanedServers.claim(work);
            return work;
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot create a temporary directory: " + e, e);
        }
    }

    private static void initdb(
            Binaries binaries, PrivilegeDrop drop, Path work, Path data, String password, boolean fsync)
            throws IOException {
        Path passwordFile = work.resolve("pwfile");
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        drop.handOver(passwordFile);
        List<String> command = new ArrayList<>(List.of(
                binaries.program("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                EmbeddedPostgres.SUPERUSER,
                "--pwfile=" + passwordFile,
                "-A",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C"));
        if (!fsync) {
            // Skips initdb's final fsync of the new cluster: seconds saved, and the server runs with fsync=off anyway.
            command.add("--no-sync");
        }
        try {
            ExternalCommand.run(drop.command(command), INITDB_TIMEOUT);
        } finally {
            Files.deleteIfExists(passwordFile);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(EmbeddedPostgres.HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot find a free TCP port: " + e, e);
        }
    }

    private static String randomPassword() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }
}
