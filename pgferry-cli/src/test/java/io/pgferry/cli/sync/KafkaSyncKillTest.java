package io.pgferry.cli.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.cli.ChildCli;
import io.pgferry.cli.CliRun;
import io.pgferry.cli.Load;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.KafkaBroker;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgferry sync} into Kafka killed with SIGKILL at random moments while streaming under continuous writes, which
 * began before the initial copy, then restarted: a {@code read_committed} consumer sees every change exactly once (no event of one source position and
 * key twice, none missing), and replaying the events rebuilds the source table. Issue #7.
 */
@PgTest
@Tag("kafka")
class KafkaSyncKillTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void killedAtRandomMomentsSendsEveryChangeExactlyOnce(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                "INSERT INTO accounts SELECT i, 0 FROM generate_series(1, 2000) i");
        byte[] b = new byte[5];
        new SecureRandom().nextBytes(b);
        String prefix = "k" + HexFormat.of().formatHex(b);
        String topic = prefix + ".public.accounts";
        String uri = "kafka://" + KafkaBroker.shared().bootstrapServers() + "?topic.prefix=" + prefix;
        String[] sync = {"sync", "--source", source.uri(), "--target", uri, "--verbose"};
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        // The writes start before the copy, so that the copy's snapshot and the stream from its consistent point
        // must meet exactly. The copy runs to its end unkilled: a copy killed half-way is sent again, by design.
        Load load = Load.start(source, changes("accounts", new Random(seed + 1)));
        try {
            Process copy = start("sync", "--source", source.uri(), "--target", uri, "--until-caught-up");
            assertThat(copy.waitFor(3, TimeUnit.MINUTES))
                    .as("the copy ended: %s", err())
                    .isTrue();
            assertThat(copy.exitValue()).as(err()).isZero();
            for (int round = 0; round < 3; round++) {
                Process p = start(sync);
                int before = records(topic).size();
                int moves = 1 + random.nextInt(3);
                for (int i = 0; i < moves; i++) {
                    int at = before;
                    ChildCli.awaitWhileAlive(() -> records(topic).size() > at, p, dir.resolve("err.txt"));
                    before = records(topic).size();
                }
                p.destroyForcibly(); // SIGKILL on Linux
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            load.stop();
        }
        assertThat(load.error()).as("writer").isNull();
        Process last = start("sync", "--source", source.uri(), "--target", uri, "--until-caught-up", "--verbose");
        assertThat(last.waitFor(3, TimeUnit.MINUTES))
                .as("the last sync ended: %s", err())
                .isTrue();
        assertThat(last.exitValue()).as("seed %d: %s", seed, err()).isZero();
        assertThat(replay(topic, seed)).as("seed %d", seed).isEqualTo(rows(source, "accounts"));

        // status reads the position back from the offsets topic; without --slot the URI's prefix lists every sync.
        CliRun status = CliRun.run("status", "--target", uri, "--source", source.uri());
        assertThat(status.exitCode()).as(status.err()).isEqualTo(ExitCodes.OK);
        assertThat(status.out()).contains("sync pgferry_sync: position").contains("lag");
        CliRun neither = CliRun.run(
                "status", "--target", "kafka://" + KafkaBroker.shared().bootstrapServers());
        assertThat(neither.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(neither.err()).contains("--slot").doesNotContain("Exception");
    }

    /**
     * A table added to a Kafka sync that streams already (issue 7), under writes that go on through its addition: its
     * rows are sent as read records from a snapshot of its own, its changes from that snapshot's consistent point, and
     * the point, kept in the table-state topic, holds across kills while streaming: every change of the table is sent
     * exactly once, and replaying the topic rebuilds it.
     */
    @Test
    void aTableAddedUnderWritesThenKilledSendsEveryChangeExactlyOnce(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                "INSERT INTO accounts VALUES (1, 0)");
        byte[] b = new byte[5];
        new SecureRandom().nextBytes(b);
        String prefix = "k" + HexFormat.of().formatHex(b);
        String topic = prefix + ".public.added";
        String uri = "kafka://" + KafkaBroker.shared().bootstrapServers() + "?topic.prefix=" + prefix;
        Process first = start("sync", "--source", source.uri(), "--target", uri, "--until-caught-up");
        assertThat(first.waitFor(3, TimeUnit.MINUTES))
                .as("the first sync ended: %s", err())
                .isTrue();
        assertThat(first.exitValue()).as(err()).isZero();
        source.execute(
                "CREATE TABLE added (id int PRIMARY KEY, balance bigint NOT NULL)",
                "INSERT INTO added SELECT i, 0 FROM generate_series(1, 2000) i");
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        Load load = Load.start(source, changes("added", new Random(seed + 1)));
        try {
            // The addition runs to its end unkilled: one cut short is sent again, by design.
            Process add = start("sync", "--source", source.uri(), "--target", uri, "--until-caught-up");
            assertThat(add.waitFor(3, TimeUnit.MINUTES))
                    .as("the addition ended: %s", err())
                    .isTrue();
            assertThat(add.exitValue()).as(err()).isZero();
            assertThat(Files.readString(dir.resolve("err.txt"))).contains("adding [public.added]");
            for (int round = 0; round < 2; round++) {
                Process p = start("sync", "--source", source.uri(), "--target", uri, "--verbose");
                int at = records(topic).size() + 1 + random.nextInt(200);
                ChildCli.awaitWhileAlive(() -> records(topic).size() > at, p, dir.resolve("err.txt"));
                p.destroyForcibly(); // SIGKILL on Linux
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            load.stop();
        }
        assertThat(load.error()).as("writer").isNull();
        Process last = start("sync", "--source", source.uri(), "--target", uri, "--until-caught-up");
        assertThat(last.waitFor(3, TimeUnit.MINUTES))
                .as("the last sync ended: %s", err())
                .isTrue();
        assertThat(last.exitValue()).as("seed %d: %s", seed, err()).isZero();
        assertThat(records(topic).stream().filter(r -> r.value() != null && op(r).equals("r")))
                .as("read records: one per row the addition's snapshot held")
                .hasSizeGreaterThanOrEqualTo(1000);
        assertThat(replay(topic, seed)).as("seed %d", seed).isEqualTo(rows(source, "added"));
    }

    private static String op(ConsumerRecord<byte[], byte[]> r) {
        try {
            return JSON.readTree(r.value()).path("op").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The rows the topic's events rebuild, by key; fails if an event other than a read comes twice. */
    private static Map<Integer, Long> replay(String topic, long seed) throws Exception {
        Map<Integer, Long> replayed = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records(topic)) {
            if (r.value() == null) {
                continue; // a tombstone
            }
            JsonNode v = JSON.readTree(r.value());
            String op = v.path("op").asText();
            JsonNode row = op.equals("d") ? v.path("before") : v.path("after");
            int id = row.path("id").asInt();
            if (!op.equals("r")) {
                assertThat(seen.add(v.path("source").path("lsn").asText() + "/" + op + "/" + id))
                        .as(
                                "seed %d: event %s of key %d at %s sent once",
                                seed, op, id, v.path("source").path("lsn"))
                        .isTrue();
            }
            if (op.equals("d")) {
                replayed.remove(id);
            } else {
                replayed.put(id, row.path("balance").asLong());
            }
        }
        return replayed;
    }

    private static Map<Integer, Long> rows(TestDatabase source, String table) throws Exception {
        Map<Integer, Long> expected = new TreeMap<>();
        try (Connection c = source.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, balance FROM " + table)) {
            while (rs.next()) {
                expected.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return expected;
    }

    private static List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        return KafkaBroker.shared().records(topic, "read_committed");
    }

    private String err() throws Exception {
        Path p = dir.resolve("err.txt");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    private Process start(String... args) throws Exception {
        return ChildCli.start(dir.resolve("out.txt"), dir.resolve("err.txt"), args);
    }

    /** Random small transactions (inserts, updates, key changes, deletes), the steps of the load. */
    private static Load.Step changes(String table, Random r) {
        AtomicInteger next = new AtomicInteger(100_000);
        return st -> {
            int id = 1 + r.nextInt(2000);
            switch (r.nextInt(4)) {
                case 0 -> st.execute("INSERT INTO " + table + " VALUES (" + next.getAndIncrement() + ", 1)");
                case 1 -> st.execute("BEGIN; UPDATE " + table + " SET balance = balance + 1 WHERE id = " + id
                        + "; UPDATE " + table + " SET balance = balance + 1 WHERE id = " + (id + 1) + "; COMMIT");
                case 2 -> st.execute("UPDATE " + table + " SET id = " + next.getAndIncrement() + " WHERE id = " + id);
                default -> st.execute("DELETE FROM " + table + " WHERE id = " + id);
            }
        };
    }
}
