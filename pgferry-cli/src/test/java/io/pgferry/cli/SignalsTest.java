package io.pgferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.ops.Signals;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signals on the long-running commands, on real processes (issue #9): SIGTERM while a large transaction is in hand
 * finishes it, saves the position and exits 0, and a restart repeats nothing; a second signal exits at once; SIGHUP
 * reloads scan rules and says so. Before, a shutdown hook stopped the command and the JVM exited 143, and a second
 * signal was ignored while the hook ran.
 */
@PgTest
class SignalsTest {
    private static final int ROWS = 100_000;

    @TempDir
    Path dir;

    /** A stop that takes too long exits as a runtime failure of the command line, the code scripts read. */
    @Test
    void aStopThatTakesTooLongExitsAsARuntimeFailure() {
        assertThat(Signals.GAVE_UP).isEqualTo(ExitCodes.RUNTIME);
    }

    @Test
    void streamFinishesTheTransactionInHandExitsZeroAndRepeatsNothing(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, pad text)");
        Path out = dir.resolve("changes.jsonl");
        String[] stream = streamArgs(db, out);
        Process p = start("stream", stream);
        ChildCli.awaitWhileAlive(() -> Files.exists(dir.resolve("stream.ckpt")), p, err("stream"));
        db.execute("INSERT INTO t SELECT i, repeat('x', 100) FROM generate_series(1, " + ROWS + ") i");
        ChildCli.awaitWhileAlive(() -> Files.exists(out) && Files.size(out) > 0, p, err("stream"));
        p.destroy(); // SIGTERM, with the transaction being written
        assertExitedZero(p, "stream");
        assertThat(Files.readString(err("stream"))).contains("SIGTERM: finishing the transaction in hand");
        assertThat(StreamRun.lines(out)).as("the transaction in hand, whole").hasSize(ROWS);

        db.execute("INSERT INTO t VALUES (0, 'after')");
        CliRun again = CliRun.run(append(stream, "--until-caught-up"));
        assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCodes.OK);
        Map<Integer, Integer> seen = new HashMap<>();
        for (JsonNode line : StreamRun.lines(out)) {
            seen.merge(line.get("after").get("id").intValue(), 1, Integer::sum);
        }
        assertThat(seen)
                .hasSize(ROWS + 1)
                .allSatisfy((id, n) -> assertThat(n).as("id %d", id).isEqualTo(1));
    }

    @Test
    void aSecondSignalExitsAtOnce(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, pad text)");
        Path out = dir.resolve("changes.jsonl");
        Process p = start("stream", streamArgs(db, out));
        ChildCli.awaitWhileAlive(() -> Files.exists(dir.resolve("stream.ckpt")), p, err("stream"));
        db.execute("INSERT INTO t SELECT i, repeat('x', 100) FROM generate_series(1, " + 4 * ROWS + ") i");
        ChildCli.awaitWhileAlive(() -> Files.exists(out) && Files.size(out) > 0, p, err("stream"));
        // A background job of a non-interactive shell starts with SIGINT ignored, and the JVM, as shells do, leaves a
        // signal ignored at its start ignored; the child inherits that from this JVM. Then the first signal is a
        // SIGTERM too (this test failed when the build ran in the background).
        String first = ignored(SIGINT) ? "TERM" : "INT";
        signal(p, first);
        ChildCli.awaitWhileAlive(
                () -> Files.readString(err("stream")).contains("SIG" + first + ": finishing"), p, err("stream"));
        signal(p, "TERM");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(err("stream"));
        if (!stderr.contains("second SIGTERM")) {
            // The first signal's stop won the race and the command ended normally before the second arrived.
            assertThat(p.exitValue()).as(stderr).isZero();
            return;
        }
        assertThat(p.exitValue()).as(stderr).isEqualTo(128 + 15);
    }

    @Test
    void syncStopsOnSigtermAndARestartAppliesEachRowOnce(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                "INSERT INTO accounts SELECT i, 0 FROM generate_series(1, 1000) i");
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            String[] sync = {"sync", "--source", source.uri(), "--target", target.uri()};
            Process p = start("sync", sync);
            ChildCli.awaitWhileAlive(() -> streaming(target), p, err("sync"));
            source.execute("INSERT INTO accounts SELECT i, i FROM generate_series(1001, " + (1000 + ROWS) + ") i");
            ChildCli.awaitWhileAlive(
                    () -> source.queryLong("SELECT count(*) FROM pg_stat_replication WHERE sent_lsn >= "
                                    + "pg_current_wal_lsn() - 1000000")
                            > 0,
                    p,
                    err("sync"));
            p.destroy();
            assertExitedZero(p, "sync");

            source.execute("UPDATE accounts SET balance = balance + 1 WHERE id <= 10");
            CliRun again = CliRun.run(append(sync, "--until-caught-up"));
            assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCodes.OK);
            String digest = "SELECT count(*) || ':' || sum(balance) FROM accounts";
            assertThat(target.queryString(digest)).isEqualTo(source.queryString(digest));
        }
    }

    @Test
    void guardRunSurvivesSighupAndExitsZeroOnSigterm(TestDatabase db) throws Exception {
        assumeSighupReaches();
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "INSERT INTO t SELECT i, 0 FROM generate_series(1, 100) i");
        assertThat(CliRun.run("guard", "install", "--dsn", db.uri()).exitCode()).isZero();
        assertThat(CliRun.run("guard", "register", "--dsn", db.uri(), "--table", "t")
                        .exitCode())
                .isZero();
        Process p = start("guard", "guard", "run", "--dsn", db.uri(), "--naptime", "20ms");
        ChildCli.awaitWhileAlive(
                () -> db.queryLong("SELECT count(*) FROM syncguard.sweep_state") == 1, p, err("guard"));
        // The JVM's own answer to SIGHUP is to exit: a log rotation would stop the service.
        signal(p, "HUP");
        ChildCli.awaitWhileAlive(
                () -> Files.readString(err("guard")).contains("SIGHUP: nothing to reload"), p, err("guard"));
        assertThat(p.isAlive()).isTrue();
        p.destroy();
        assertExitedZero(p, "guard");
    }

    @Test
    void sighupReloadsScanRulesAndSaysWhat(TestDatabase db) throws Exception {
        assumeSighupReaches();
        db.execute("CREATE TABLE t (id int PRIMARY KEY, note text)");
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(
                rules, "rules:\n  - id: ticket\n    severity: high\n    type: regex\n    pattern: 'TKT-[0-9]{4}'\n");
        Process p = start(
                "scan",
                "scan",
                "--source",
                db.uri(),
                "--tables",
                "public.t",
                "--rules",
                rules.toString(),
                "--checkpoint",
                dir.resolve("scan.ckpt").toString(),
                "--channel",
                "jsonl:" + dir.resolve("findings.jsonl"));
        ChildCli.awaitWhileAlive(
                () -> db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE active") == 1, p, err("scan"));
        signal(p, "HUP");
        ChildCli.awaitWhileAlive(
                () -> Files.readString(err("scan")).contains("SIGHUP: rule file " + rules + " reloaded: 1 rules"),
                p,
                err("scan"));
        Files.writeString(rules, "rules:\n  - id: broken\n    type: regex\n");
        signal(p, "HUP");
        ChildCli.awaitWhileAlive(() -> Files.readString(err("scan")).contains("not reloaded"), p, err("scan"));
        p.destroy();
        assertExitedZero(p, "scan");
    }

    private String[] streamArgs(TestDatabase db, Path out) {
        return new String[] {
            "stream",
            "--source",
            db.uri(),
            "--tables",
            "public.t",
            "--output",
            out.toString(),
            "--checkpoint",
            dir.resolve("stream.ckpt").toString()
        };
    }

    private static boolean streaming(TestDatabase target) throws Exception {
        return target.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'pgferry' AND tablename ="
                                + " 'table_state'")
                        == 1
                && target.queryLong("SELECT count(*) FROM pgferry.table_state WHERE state = 'streaming'") == 1;
    }

    private Process start(String name, String... args) throws Exception {
        return ChildCli.start(dir.resolve(name + "-out.txt"), err(name), args);
    }

    private Path err(String name) {
        return dir.resolve(name + "-err.txt");
    }

    private void assertExitedZero(Process p, String name) throws Exception {
        boolean ended =
                p.waitFor(Signals.STOP_LIMIT.plus(Duration.ofSeconds(10)).toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(ended).as("%s ended", name).isTrue();
        assertThat(p.exitValue()).as(Files.readString(err(name))).isZero();
    }

    private static void signal(Process p, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static final int SIGHUP = 1;
    private static final int SIGINT = 2;

    /** Whether this process ignores {@code signal} (bit signal - 1 of the SigIgn mask in /proc/self/status). */
    private static boolean ignored(int signal) throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (signal - 1))) != 0;
            }
        }
        return false;
    }

    /**
     * Skips a SIGHUP test in a build started with SIGHUP ignored (under {@code nohup}): the child inherits that, and
     * the JVM leaves a signal ignored at its start ignored, as docs/operations.md says, so no SIGHUP can reach it.
     * Regression: both SIGHUP tests failed after 90 s when the build ran under nohup.
     */
    private static void assumeSighupReaches() throws Exception {
        Assumptions.assumeFalse(
                ignored(SIGHUP), "this build was started with SIGHUP ignored (nohup), so its children ignore it too");
    }

    private static String[] append(String[] args, String more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = more;
        return all;
    }
}
