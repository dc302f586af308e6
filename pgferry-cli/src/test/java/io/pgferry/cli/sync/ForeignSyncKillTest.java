package io.pgferry.cli.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.cli.ChildCli;
import io.pgferry.cli.Load;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.MariaDbServer;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.Rows;
import io.pgferry.testkit.TestDatabase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code pgferry sync} into MariaDB and SQLite killed with SIGKILL at random moments, during the copy and while
 * streaming, under continuous writes, then restarted: the destination ends equal to the source, and the keyless
 * REPLICA IDENTITY FULL table gains no duplicate, since the position is stored in the destination's own transaction.
 * Issue #7.
 */
@PgTest
@Tag("mariadb")
class ForeignSyncKillTest {
    @TempDir
    Path dir;

    /** A destination's connection and its target URI. */
    private record Target(String uri, ConnectionSource connect, String cleanup) {}

    @FunctionalInterface
    private interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private Target target(String kind) throws SQLException {
        if (kind.equals("sqlite")) {
            Path file = dir.resolve("target.db");
            return new Target("sqlite:" + file, () -> DriverManager.getConnection("jdbc:sqlite:" + file), null);
        }
        MariaDbServer server = MariaDbServer.shared();
        String db = server.createDatabase();
        String uri = "mariadb://" + server.user() + ":" + URLEncoder.encode(server.password(), StandardCharsets.UTF_8)
                + "@" + server.host() + ":" + server.port() + "/" + db;
        return new Target(uri, () -> server.connect(db), db);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mariadb", "sqlite"})
    void killedAtRandomMomentsLosesAndRepeatsNothing(String kind, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text)",
                "CREATE TABLE events (kind text, n int)",
                "ALTER TABLE events REPLICA IDENTITY FULL",
                "CREATE INDEX accounts_note ON accounts (note, balance)",
                "INSERT INTO accounts SELECT i, 0, 'start' FROM generate_series(1, 100000) i",
                "INSERT INTO events SELECT 'seed', i % 10 FROM generate_series(1, 200) i");
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        Target t = target(kind);
        try {
            Load load = Load.start(source, Load.accountsAndEvents(new Random(seed + 1), 100_000));
            String[] sync = {"sync", "--source", source.uri(), "--target", t.uri(), "--workers", "2"};
            try {
                Process p = start(sync);
                ChildCli.awaitWhileAlive(
                        () -> count(t, "pgferry_table_state WHERE state = 'copying'") > 0, p, dir.resolve("err.txt"));
                kill(p);
                for (int round = 0; round < 3; round++) {
                    p = start(sync);
                    long before = position(t);
                    int moves = 1 + random.nextInt(3);
                    for (int i = 0; i < moves; i++) {
                        long at = before;
                        ChildCli.awaitWhileAlive(() -> position(t) > at, p, dir.resolve("err.txt"));
                        before = position(t);
                    }
                    kill(p);
                }
            } finally {
                load.stop();
            }
            assertThat(load.error()).as("writer").isNull();
            Process last = start("sync", "--source", source.uri(), "--target", t.uri(), "--until-caught-up");
            boolean ended = last.waitFor(3, TimeUnit.MINUTES);
            if (!ended) {
                kill(last);
            }
            assertThat(ended).as("the last sync ended; %s", err()).isTrue();
            assertThat(last.exitValue()).as("seed %d: %s", seed, err()).isEqualTo(ExitCodes.OK);
            assertThat(rows(t, "SELECT id, balance, note FROM accounts ORDER BY id"))
                    .as("seed %d", seed)
                    .isEqualTo(sourceRows(source, "SELECT id, balance, note FROM accounts ORDER BY id"));
            assertThat(rows(t, "SELECT kind, n FROM events ORDER BY kind, n"))
                    .as("seed %d", seed)
                    .isEqualTo(sourceRows(source, "SELECT kind, n FROM events ORDER BY kind, n"));
            assertThat(rows(t, indexes(kind)))
                    .as("indexes built once, whatever the kills")
                    .containsExactly(kind.equals("sqlite") ? "accounts_accounts_note" : "accounts_note");
        } finally {
            if (t.cleanup() != null) {
                MariaDbServer.shared().drop(t.cleanup());
            }
        }
    }

    /**
     * The same with {@code --copy-mode chunked} (issue 7: refused for any target but PostgreSQL until now): the first
     * kill lands once a chunk has committed a batch, the restarts resume the copy where the chunks' marks say, and the
     * changes made meanwhile are replayed until the destination is exact. Chunks finished before a kill keep their
     * completion time: they were not copied again.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mariadb", "sqlite"})
    void chunkedCopyKilledAtRandomMomentsResumesAndEndsEqual(String kind, TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text)",
                "CREATE TABLE events (kind text, n int)",
                "CREATE INDEX accounts_note ON accounts (note, balance)",
                "INSERT INTO accounts SELECT i, 0, 'start' FROM generate_series(1, 100000) i");
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        Target t = target(kind);
        try {
            Load load = Load.start(source, Load.accountsAndEvents(new Random(seed + 1), 100_000));
            String[] sync = {
                "sync",
                "--source",
                source.uri(),
                "--target",
                t.uri(),
                "--workers",
                "2",
                "--tables",
                "public.accounts",
                "--copy-mode",
                "chunked",
                "--chunk-rows",
                "7000"
            };
            List<String> finished;
            try {
                Process p = start(sync);
                ChildCli.awaitWhileAlive(
                        () -> count(t, "pgferry_copy_chunk WHERE rows_copied > 0") > 0, p, dir.resolve("err.txt"));
                kill(p);
                finished = rows(t, "SELECT chunk, done_at FROM pgferry_copy_chunk WHERE done_at IS NOT NULL");
                for (int round = 0; round < 3; round++) {
                    p = start(sync);
                    long before = position(t);
                    ChildCli.awaitWhileAlive(() -> position(t) > before, p, dir.resolve("err.txt"));
                    int moves = random.nextInt(3);
                    for (int i = 0; i < moves; i++) {
                        long at = position(t);
                        ChildCli.awaitWhileAlive(() -> position(t) > at, p, dir.resolve("err.txt"));
                    }
                    kill(p);
                }
            } finally {
                load.stop();
            }
            assertThat(load.error()).as("writer").isNull();
            String[] last = java.util.Arrays.copyOf(sync, sync.length + 1);
            last[sync.length] = "--until-caught-up";
            Process end = start(last);
            boolean ended = end.waitFor(3, TimeUnit.MINUTES);
            if (!ended) {
                kill(end);
            }
            assertThat(ended).as("the last sync ended; %s", err()).isTrue();
            assertThat(end.exitValue()).as("seed %d: %s", seed, err()).isEqualTo(ExitCodes.OK);
            assertThat(rows(t, "SELECT id, balance, note FROM accounts ORDER BY id"))
                    .as("seed %d", seed)
                    .isEqualTo(sourceRows(source, "SELECT id, balance, note FROM accounts ORDER BY id"));
            assertThat(rows(t, indexes(kind)))
                    .as("indexes built once, whatever the kills")
                    .containsExactly(kind.equals("sqlite") ? "accounts_accounts_note" : "accounts_note");
            assertThat(rows(t, "SELECT chunk, done_at FROM pgferry_copy_chunk WHERE done_at IS NOT NULL"))
                    .as("the chunks finished before the first kill were not copied again")
                    .containsAll(finished);
        } finally {
            if (t.cleanup() != null) {
                MariaDbServer.shared().drop(t.cleanup());
            }
        }
    }

    private String err() throws Exception {
        return Files.readString(dir.resolve("err.txt"));
    }

    private Process start(String... args) throws Exception {
        return ChildCli.start(dir.resolve("out.txt"), dir.resolve("err.txt"), args);
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL on Linux
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Rows of {@code from} (a table and its WHERE clause); 0 while the table does not exist. */
    private static long count(Target t, String from) {
        try (Connection c = t.connect().open();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + from)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return 0;
        }
    }

    /** The stored position; -1 until the copy recorded one. */
    private static long position(Target t) {
        try (Connection c = t.connect().open();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(max(lsn), -1) FROM pgferry_sync_progress")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /** The secondary indexes at the destination (issue 7: the source's, built once the copy has the rows in). */
    private static String indexes(String kind) {
        return kind.equals("sqlite")
                ? "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
                : "SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE()"
                        + " AND index_name <> 'PRIMARY' ORDER BY index_name";
    }

    private static List<String> rows(Target t, String sql) throws SQLException {
        try (Connection c = t.connect().open()) {
            return Rows.of(c, sql);
        }
    }

    private static List<String> sourceRows(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect()) {
            return Rows.of(c, sql);
        }
    }
}
