package io.pgferry.cli.stream;

import static io.pgferry.cli.StreamRun.slotsAndPublications;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.cli.CliRun;
import io.pgferry.cli.StreamRun;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code pgferry stream}: one line on stderr with the fix, a non-zero exit, no JSON, and no slot or
 * publication left behind.
 */
@PgTest
class StreamErrorsTest {
    @TempDir
    Path dir;

    @Test
    void malformedDsnIsUsage(TestDatabase db) throws SQLException {
        CliRun r = stream("postgresql://u:topsecret@h:notaport/db", "--tables", "public.t");
        assertFailed(db, r, ExitCodes.USAGE, "malformed DSN", "use postgresql://user@host:5432/db");
        assertThat(r.err()).doesNotContain("topsecret");
    }

    @Test
    void badSlotNameIsUsage(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        CliRun r = stream(db.uri(), "--tables", "public.t", "--slot", "Bad-Slot");
        assertFailed(db, r, ExitCodes.USAGE, "slot name 'Bad-Slot' is not valid", "a-z, 0-9 and _");
    }

    @Test
    void garbageFromLsnIsUsage(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        CliRun r = stream(db.uri(), "--tables", "public.t", "--from-lsn", "yesterday");
        assertFailed(db, r, ExitCodes.USAGE, "invalid LSN 'yesterday'", "give --from-lsn like 0/16B3748");
    }

    @Test
    void malformedTableListIsUsage(TestDatabase db) throws SQLException {
        CliRun r = stream(db.uri(), "--tables", "a.b.c");
        assertFailed(db, r, ExitCodes.USAGE, "invalid table list 'a.b.c'", "");
    }

    @Test
    void unknownPublicationWithoutTables(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        CliRun r = stream(db.uri(), "--publication", "nopub");
        assertFailed(db, r, ExitCodes.RUNTIME, "publication nopub does not exist", "give the tables to publish");
    }

    @Test
    void unknownTable(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        CliRun r = stream(db.uri(), "--tables", "public.t,public.missing");
        assertFailed(db, r, ExitCodes.RUNTIME, "table public.missing does not exist", "check the table names given");
    }

    @Test
    void tableWithoutReplicaIdentity(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE nokey (v text)");
        CliRun r = stream(db.uri(), "--tables", "public.t,public.nokey");
        assertFailed(
                db, r, ExitCodes.RUNTIME, "table public.nokey has no usable replica identity", "REPLICA IDENTITY FULL");
    }

    @Test
    void wrongPasswordIsNeverShown(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        PostgresServer s = db.server();
        String dsn = "postgresql://postgres:wrong-pw-4711@" + s.host() + ":" + s.port() + "/" + db.name();
        CliRun r = stream(dsn, "--tables", "public.t");
        assertFailed(
                db,
                r,
                ExitCodes.RUNTIME,
                "password authentication failed for user \"postgres\"",
                "check the password in the DSN");
        assertThat(r.err()).doesNotContain("wrong-pw-4711").doesNotContain(s.password());
    }

    @Test
    void unreachableHostFailsFast(TestDatabase db) throws IOException, SQLException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        long start = System.nanoTime();
        // The default --max-retry-time is 5 minutes: a first connection that fails must not be retried.
        CliRun r = stream("postgresql://u:pw-secret@127.0.0.1:" + port + "/db", "--tables", "public.t");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertFailed(db, r, ExitCodes.RUNTIME, "cannot reach 127.0.0.1:" + port, "check host/port");
        assertThat(r.err()).doesNotContain("pw-secret");
    }

    @Test
    void slotInUseIsRefusedBeforeAnythingIsCreated(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        StreamConfig config = StreamConfig.builder()
                .source(db.uri())
                .publication("held_pub")
                .slot("held")
                .tables("public.t")
                .build();
        try (ChangeStream holder = ChangeStream.create(config, tx -> tx.ack())) {
            holder.start();
            awaitActive(db, holder, "held");
            CliRun r = stream(db.uri(), "--tables", "public.t", "--slot", "held", "--publication", "new_pub");
            assertThat(r.exitCode()).isEqualTo(ExitCodes.RUNTIME);
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err())
                    .startsWith("pgferry: error: slot held is in use by process ")
                    .contains("; fix: stop the other consumer");
            assertThat(r.out()).isEmpty();
            assertThat(StreamRun.rawLines(dir.resolve("out.jsonl"))).isEmpty();
            assertThat(db.queryLong("SELECT count(*) FROM pg_publication WHERE pubname = 'new_pub'"))
                    .isZero();
            assertThat(holder.lastError()).isNull();
            assertThat(holder.state()).isEqualTo(ChangeStream.State.STREAMING);
        }
    }

    private CliRun stream(String source, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "stream",
                "--source",
                source,
                "--until-caught-up",
                "--output",
                dir.resolve("out.jsonl").toString()));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    private void assertFailed(TestDatabase db, CliRun r, int exitCode, String problem, String fix) throws SQLException {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(exitCode);
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("pgferry: error: ").contains(problem);
        if (!fix.isEmpty()) {
            assertThat(r.err()).contains("; fix: ").contains(fix);
        }
        assertThat(r.out()).isEmpty();
        assertThat(StreamRun.rawLines(dir.resolve("out.jsonl"))).isEmpty();
        if (exitCode == ExitCodes.USAGE) {
            // Rejected before anything is opened.
            assertThat(dir.resolve("out.jsonl")).doesNotExist();
        }
        assertThat(slotsAndPublications(db)).isZero();
    }

    /** Waits (bounded) until the holder's walsender has acquired the slot. */
    private static void awaitActive(TestDatabase db, ChangeStream holder, String slot) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '" + slot + "'")
                == 0) {
            assertThat(holder.lastError()).isNull();
            assertThat(System.nanoTime()).as("slot %s active within 30 s", slot).isLessThan(deadline);
            try {
                // The stream offers no event for "slot acquired"; its termination latch bounds the wait between checks.
                assertThat(holder.awaitTermination(Duration.ofMillis(20))).isFalse();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
