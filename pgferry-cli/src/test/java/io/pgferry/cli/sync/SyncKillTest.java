package io.pgferry.cli.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.cli.ChildCli;
import io.pgferry.cli.Load;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgferry sync} killed with SIGKILL at random moments, during the copy and while streaming, under continuous
 * writes (inserts, updates, key changes, deletes), then restarted: the target ends equal to the source row by row,
 * and the keyless REPLICA IDENTITY FULL table, which has no key to make a repeated insert harmless, gains no
 * duplicate. Issue #5.
 */
@PgTest
class SyncKillTest {
    @TempDir
    Path dir;

    @Test
    void killedAtRandomMomentsLosesAndRepeatsNothing(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text)",
                "CREATE TABLE events (kind text, n int)",
                "ALTER TABLE events REPLICA IDENTITY FULL",
                "INSERT INTO accounts SELECT i, 0, 'start' FROM generate_series(1, 200000) i",
                "INSERT INTO events SELECT 'seed', i % 10 FROM generate_series(1, 200) i");
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Load load = Load.start(source, Load.accountsAndEvents(new Random(seed + 1), 200_000));
            try {
                String[] sync = {"sync", "--source", source.uri(), "--target", target.uri(), "--workers", "2"};
                // First kill: during the initial copy.
                Process p = start(sync);
                awaitQuery(target, "SELECT count(*) FROM pgferry.table_state WHERE state = 'copying'", p);
                kill(p);
                boolean copyCut =
                        target.queryLong("SELECT count(*) FROM pgferry.table_state WHERE state = 'copying'") > 0;
                for (int round = 0; round < 4; round++) {
                    p = start(sync);
                    if (round == 0 && copyCut) {
                        // Issue 5: a crash during the snapshot copy restarts it, and the tool says so.
                        ChildCli.awaitWhileAlive(
                                () -> Files.readString(dir.resolve("err.txt"))
                                        .contains("did not finish: emptying its tables and starting it again"),
                                p,
                                dir.resolve("err.txt"));
                    }
                    awaitMoves(target, p, 1 + random.nextInt(4));
                    kill(p);
                }
            } finally {
                load.stop();
            }
            assertThat(load.error()).as("writer").isNull();
            catchUp(seed, "sync", "--source", source.uri(), "--target", target.uri(), "--until-caught-up", "--verbose");
            for (String table : List.of("accounts", "events")) {
                assertThat(rows(target, table))
                        .as("seed %d, table %s", seed, table)
                        .isEqualTo(rows(source, table));
            }
        }
    }

    /**
     * Issue 5: with changes that keep groups whole (no key change, no keyless table), the sync's second target session
     * writes part of most groups and commits before the first; killed at random moments while streaming, a crash
     * between the two commits among them, the sync restarts and ends with both tables equal to the source, no row
     * lost or applied twice (a second insert of an entry would fail on its key).
     */
    @Test
    void twoTargetSessionsKilledAtRandomMomentsLoseAndRepeatNothing(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text)",
                "CREATE TABLE entries (id int PRIMARY KEY, n int NOT NULL)",
                "INSERT INTO accounts SELECT i, 0, 'start' FROM generate_series(1, 20000) i");
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Load load = Load.start(source, Load.twoTables(new Random(seed + 1), 20_000));
            String[] sync = {"sync", "--source", source.uri(), "--target", target.uri()};
            try {
                for (int round = 0; round < 4; round++) {
                    Process p = start(sync);
                    awaitMoves(target, p, 1 + random.nextInt(4));
                    kill(p);
                }
            } finally {
                load.stop();
            }
            assertThat(load.error()).as("writer").isNull();
            catchUp(seed, "sync", "--source", source.uri(), "--target", target.uri(), "--until-caught-up");
            assertThat(target.queryLong("SELECT count(*) FROM pgferry.apply_lane"))
                    .as("the second session wrote")
                    .isPositive();
            for (String table : List.of("accounts", "entries")) {
                assertThat(rows(target, table))
                        .as("seed %d, table %s", seed, table)
                        .isEqualTo(rows(source, table));
            }
        }
    }

    /**
     * The same with {@code --copy-mode chunked}: the first kill lands while chunks are being copied, the restart
     * copies only the chunks not yet done (those done keep their completion time), and the changes made meanwhile
     * are replayed until the target is exact.
     */
    @Test
    void chunkedCopyKilledAtRandomMomentsResumesAndEndsEqual(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text)",
                "CREATE TABLE events (kind text, n int)",
                "INSERT INTO accounts SELECT i, 0, 'start' FROM generate_series(1, 200000) i");
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            Load load = Load.start(source, Load.accountsAndEvents(new Random(seed + 1), 200_000));
            String[] sync = {
                "sync",
                "--source",
                source.uri(),
                "--target",
                target.uri(),
                "--workers",
                "2",
                "--tables",
                "public.accounts",
                "--copy-mode",
                "chunked",
                "--chunk-rows",
                "1000"
            };
            String finished;
            try {
                Process p = start(sync);
                ChildCli.awaitWhileAlive(
                        () -> tableExists(target)
                                && target.queryLong("SELECT count(*) FROM pgferry.copy_chunk WHERE done_at IS NOT"
                                                + " NULL")
                                        > 0,
                        p,
                        dir.resolve("err.txt"));
                kill(p);
                finished = doneChunks(target);
                for (int round = 0; round < 3; round++) {
                    p = start(sync);
                    long before = position(target);
                    ChildCli.awaitWhileAlive(() -> position(target) > before, p, dir.resolve("err.txt"));
                    int moves = random.nextInt(3);
                    for (int i = 0; i < moves; i++) {
                        long at = position(target);
                        ChildCli.awaitWhileAlive(() -> position(target) > at, p, dir.resolve("err.txt"));
                    }
                    kill(p);
                }
            } finally {
                load.stop();
            }
            assertThat(load.error()).as("writer").isNull();
            String[] last = Arrays.copyOf(sync, sync.length + 1);
            last[sync.length] = "--until-caught-up";
            Process end = start(last);
            boolean ended = end.waitFor(3, TimeUnit.MINUTES);
            if (!ended) {
                kill(end);
            }
            assertThat(ended).as("the last sync ended").isTrue();
            assertThat(end.exitValue())
                    .as("seed %d: %s", seed, Files.readString(dir.resolve("err.txt")))
                    .isEqualTo(ExitCodes.OK);
            assertThat(rows(target, "accounts")).as("seed %d", seed).isEqualTo(rows(source, "accounts"));
            String[] before = finished.split(",");
            String after = doneChunks(target);
            for (String chunk : before) {
                assertThat(after).as("chunk %s was not copied again", chunk).contains(chunk);
            }
        }
    }

    /** {@code relation:chunk@done_at} of every finished chunk. */
    private static String doneChunks(TestDatabase target) throws SQLException {
        return target.queryString("SELECT coalesce(string_agg(relation || ':' || chunk || '@' || done_at, ','), '')"
                + " FROM pgferry.copy_chunk WHERE done_at IS NOT NULL");
    }

    /** Waits until {@code p} has moved the target's position {@code moves} times. */
    private void awaitMoves(TestDatabase target, Process p, int moves) throws Exception {
        long before = position(target);
        for (int i = 0; i < moves; i++) {
            long at = before;
            ChildCli.awaitWhileAlive(() -> position(target) > at, p, dir.resolve("err.txt"));
            before = position(target);
        }
    }

    /** Runs the last sync, {@code args} (with {@code --until-caught-up}), which must end within 3 minutes with 0. */
    private void catchUp(long seed, String... args) throws Exception {
        Process last = start(args);
        boolean ended = last.waitFor(3, TimeUnit.MINUTES);
        if (!ended) {
            kill(last);
        }
        assertThat(ended)
                .as("the last sync ended; %s", Files.readString(dir.resolve("err.txt")))
                .isTrue();
        assertThat(last.exitValue())
                .as("seed %d: %s", seed, Files.readString(dir.resolve("err.txt")))
                .isEqualTo(ExitCodes.OK);
    }

    private Process start(String... args) throws Exception {
        return ChildCli.start(dir.resolve("out.txt"), dir.resolve("err.txt"), args);
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL on Linux
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    private void awaitQuery(TestDatabase db, String countQuery, Process p) throws Exception {
        ChildCli.awaitWhileAlive(() -> tableExists(db) && db.queryLong(countQuery) > 0, p, dir.resolve("err.txt"));
    }

    private static boolean tableExists(TestDatabase db) throws SQLException {
        return "t"
                .equals(db.queryString("SELECT (to_regclass('pgferry.table_state') IS NOT NULL)::text")
                        .substring(0, 1));
    }

    private static long position(TestDatabase target) throws SQLException {
        // -1 until the copy recorded a position.
        if (!"t"
                .equals(target.queryString("SELECT (to_regclass('pgferry.sync_progress') IS NOT NULL)::text")
                        .substring(0, 1))) {
            return -1;
        }
        String v = target.queryString("SELECT coalesce(max(lsn), -1)::text FROM pgferry.sync_progress");
        return Long.parseLong(v);
    }

    private static List<String> rows(TestDatabase db, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT t::text FROM " + table + " t ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
