package io.pgferry.postgres;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a stream whose password came from the password file kept the password it read at start, so after the
 * role's password was rotated (the file rewritten, as a secrets agent does) its next reconnect failed with 28P01 and
 * stopped it for good. The file is read again at each connection, as libpq reads it, and the stream resumes.
 */
@PgTest
@Tag("stream")
class ChangeStreamPasswordRotationTest {
    @Test
    void aPasswordRotatedInThePasswordFileReachesTheReconnect(TestDatabase db, @TempDir Path dir) throws Exception {
        String role = db.createRole("rot_" + db.name(), "first", "LOGIN", "REPLICATION");
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY)",
                "GRANT SELECT ON t TO " + role,
                "CREATE PUBLICATION p FOR TABLE t");
        Path passfile = dir.resolve("pgpass");
        write(passfile, db, role, "first");
        StreamConfig config = StreamConfig.builder()
                .source("host=" + db.server().host() + " port=" + db.server().port() + " dbname=" + db.name() + " user="
                        + role + " passfile=" + passfile)
                .publication("p")
                .slot("s")
                .build();
        Collector c = new Collector();
        try (ChangeStream stream = ChangeStream.create(config, c)) {
            stream.start();
            db.execute("INSERT INTO t VALUES (1)");
            c.await(txs -> txs.size() >= 1, Duration.ofSeconds(60));
            db.server().execute("postgres", "ALTER ROLE " + role + " PASSWORD 'second'");
            write(passfile, db, role, "second");
            db.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 's'");
            db.execute("INSERT INTO t VALUES (2)");
            c.await(txs -> txs.size() >= 2, Duration.ofSeconds(60));
        }
    }

    private static void write(Path passfile, TestDatabase db, String role, String password) throws Exception {
        Files.writeString(
                passfile,
                db.server().host() + ":" + db.server().port() + ":" + db.name() + ":" + role + ":" + password + "\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passfile, PosixFilePermissions.fromString("rw-------"));
    }
}
