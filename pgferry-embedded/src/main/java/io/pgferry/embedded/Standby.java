package io.pgferry.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a hot standby of a running embedded server: a copy of its data directory taken between the start and the
 * stop of a base backup, with the backup's label, {@code standby.signal} and a {@code primary_conninfo} over the
 * primary's private socket (see the PostgreSQL docs, "Log-Shipping Standby Servers" and "Hot Standby"). The standby
 * streams from a physical slot the caller created, so the primary keeps the WAL it needs.
 */
final class Standby {
    private static final Logger LOG = LoggerFactory.getLogger(Standby.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    /** What the docs say to leave out of a base backup: these are recreated, or describe the running primary. */
    private static final Set<String> SKIPPED = Set.of("postmaster.pid", "postmaster.opts", "postgres.log");

    private static final Set<String> EMPTIED = Set.of(
            "pg_wal",
            "pg_replslot",
            "pg_stat_tmp",
            "pg_dynshmem",
            "pg_notify",
            "pg_serial",
            "pg_snapshots",
            "pg_subtrans");

    private Standby() {}

    static Launcher.Launched launch(
            Launcher.Launched primary, Path primarySockets, BaseBackup backup, String slotName) {
        Binaries binaries = primary.binaries();
        PrivilegeDrop drop = PrivilegeDrop.detect();
        Path work = Launcher.newRunDirectory(primary.workDirectory().getParent());
        try {
            drop.handOver(work);
            Path data = work.resolve("data");
            Path sockets = work.resolve("socket");
            Files.createDirectory(
                    sockets, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            drop.handOver(sockets);
            backup.start();
            copy(primary.dataDirectory(), data, drop);
            String label = backup.stop();
            write(data.resolve("backup_label"), label, drop);
            write(data.resolve("standby.signal"), "", drop);
            Files.writeString(
                    data.resolve("postgresql.conf"),
                    "\n# Added by pgferry-embedded for a standby\nprimary_conninfo = "
                            + ClusterConfig.quote("host=" + primarySockets + " port=" + primary.port() + " user="
                                    + EmbeddedPostgres.SUPERUSER)
                            + "\nprimary_slot_name = " + ClusterConfig.quote(slotName) + "\nhot_standby = 'on'\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            int port = Launcher.freePort();
            ServerProcess server = ServerProcess.start(binaries, drop, data, sockets, port, STARTUP_TIMEOUT);
            LOG.info("PostgreSQL {} standby listening on {}:{}", binaries.majorVersion(), EmbeddedPostgres.HOST, port);
            return new Launcher.Launched(
                    binaries, port, primary.password(), work, sockets, primary.caCertificate(), server);
        } catch (IOException | RuntimeException e) {
            FileTree.deleteQuietly(work);
            if (e instanceof EmbeddedPostgresException ee) {
                throw ee;
            }
            throw new EmbeddedPostgresException("cannot start a standby: " + e, e);
        }
    }

    /** Copies the data directory; a file the running primary removes meanwhile is skipped, as a backup may. */
    private static void copy(Path from, Path to, PrivilegeDrop drop) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(dir).toString());
                Files.createDirectories(target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                drop.handOver(target);
                return dir.equals(from) || !EMPTIED.contains(dir.getFileName().toString())
                        ? FileVisitResult.CONTINUE
                        : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (SKIPPED.contains(file.getFileName().toString())) {
                    return FileVisitResult.CONTINUE;
                }
                Path target = to.resolve(from.relativize(file).toString());
                try {
                    Files.copy(file, target);
                } catch (NoSuchFileException gone) {
                    return FileVisitResult.CONTINUE;
                }
                drop.handOver(target);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    private static void write(Path file, String content, PrivilegeDrop drop) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        drop.handOver(file);
    }
}
