package io.pgferry.cli.stream;

import static io.pgferry.cli.StreamRun.CONTRACT;
import static io.pgferry.cli.StreamRun.caughtUp;
import static io.pgferry.cli.StreamRun.caughtUpOk;
import static io.pgferry.cli.StreamRun.fieldNames;
import static io.pgferry.cli.StreamRun.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.cli.CliRun;
import io.pgferry.cli.StreamRun;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.core.Lsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgferry stream --snapshot}, {@code --checkpoint} and {@code --from-lsn}. */
@PgTest
class StreamOptionsTest {
    @Test
    void snapshotDeliversExistingRowsAsReadThenStreams(TestDatabase db, @TempDir Path dir) throws SQLException {
        db.execute(
                "CREATE TABLE items (id int PRIMARY KEY, name text)",
                "INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')",
                "UPDATE items SET name = 'B' WHERE id = 2",
                "DELETE FROM items WHERE id = 3");
        Path out = dir.resolve("out.jsonl");
        StreamRun.Summary snapshot = caughtUpOk(db, out, "--tables", "public.items", "--snapshot");
        assertThat(snapshot.changes()).isEqualTo(2);
        List<JsonNode> reads = StreamRun.lines(out);
        assertThat(reads).hasSize(2);
        Lsn consistentPoint = Lsn.parse(db.queryString(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'pgferry_slot'"));
        for (JsonNode read : reads) {
            assertThat(fieldNames(read)).containsExactlyElementsOf(CONTRACT);
            assertThat(read.get("op").textValue()).isEqualTo("read");
            assertThat(read.get("xid").isNull()).isTrue();
            assertThat(read.get("commit_ts").isNull()).isTrue();
            assertThat(read.get("before").isNull()).isTrue();
            assertThat(Lsn.parse(read.get("lsn").textValue())).isLessThanOrEqualTo(consistentPoint);
            assertThat(read.get("commit_lsn")).isEqualTo(read.get("lsn"));
        }
        assertThat(reads.stream().map(r -> r.get("after")).toList())
                .containsExactlyInAnyOrder(json("{\"id\":1,\"name\":\"a\"}"), json("{\"id\":2,\"name\":\"B\"}"));
        assertThat(reads.stream().map(r -> r.get("key")).toList())
                .containsExactlyInAnyOrder(json("{\"id\":1}"), json("{\"id\":2}"));

        db.execute("INSERT INTO items VALUES (4, 'd')", "UPDATE items SET name = 'A' WHERE id = 1");
        caughtUpOk(db, out, "--tables", "public.items");
        List<JsonNode> all = StreamRun.lines(out);
        assertThat(all).hasSize(4);
        assertThat(all.stream().map(l -> l.get("op").textValue()).toList())
                .containsExactly("read", "read", "insert", "update");
        for (JsonNode change : all.subList(2, 4)) {
            assertThat(change.get("xid").isIntegralNumber()).isTrue();
            assertThat(change.get("commit_ts").isTextual()).isTrue();
            assertThat(Lsn.parse(change.get("commit_lsn").textValue())).isGreaterThan(consistentPoint);
        }

        // The same command again resumes from its (default) checkpoint: the snapshot is not taken twice.
        CliRun resumed = caughtUp(db, out, "--tables", "public.items", "--snapshot");
        assertThat(resumed.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(StreamRun.rawLines(out)).hasSize(4);

        // Without that checkpoint, a snapshot needs a new slot.
        CliRun again = caughtUp(
                db,
                out,
                "--tables",
                "public.items",
                "--snapshot",
                "--checkpoint",
                dir.resolve("other.ckpt").toString());
        assertThat(again.exitCode()).isEqualTo(ExitCodes.RUNTIME);
        assertThat(again.errLines()).hasSize(1);
        assertThat(again.err())
                .startsWith("pgferry: error: slot pgferry_slot already exists")
                .contains("SELECT pg_drop_replication_slot('pgferry_slot')");
        assertThat(StreamRun.rawLines(out)).hasSize(4);
    }

    @Test
    void checkpointResumesWithoutRepeatingAndBelongsToItsConfiguration(TestDatabase db, @TempDir Path dir)
            throws SQLException, IOException {
        db.execute("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)");
        Path out = dir.resolve("out.jsonl");
        Path checkpoint = dir.resolve("stream.ckpt");
        String[] options = {"--tables", "public.a,public.b", "--checkpoint", checkpoint.toString()};
        caughtUpOk(db, out, options);

        db.execute("INSERT INTO a VALUES (1)", "INSERT INTO b VALUES (1)");
        assertThat(caughtUpOk(db, out, options).transactions()).isEqualTo(2);
        String saved = Files.readString(checkpoint, StandardCharsets.UTF_8);
        Lsn savedLsn = Lsn.parse(saved.lines()
                .filter(l -> l.startsWith("lsn="))
                .findFirst()
                .orElseThrow()
                .substring(4));
        Lsn lastCommit = Lsn.parse(StreamRun.lines(out).get(1).get("commit_lsn").textValue());
        assertThat(savedLsn).isGreaterThan(lastCommit);

        db.execute("INSERT INTO a VALUES (2)");
        assertThat(caughtUpOk(db, out, options).transactions()).isEqualTo(1);
        List<JsonNode> lines = StreamRun.lines(out);
        assertThat(lines.stream()
                        .map(l -> l.get("table").textValue()
                                + l.get("after").get("id").intValue()))
                .containsExactly("a1", "b1", "a2");
        assertThat(caughtUpOk(db, out, options).transactions()).isZero();
        assertThat(StreamRun.rawLines(out)).hasSize(3);

        // The same checkpoint with another table list is refused, naming the checkpoint; nothing is touched.
        String before = Files.readString(checkpoint, StandardCharsets.UTF_8);
        CliRun other = caughtUp(db, out, "--tables", "public.a", "--checkpoint", checkpoint.toString());
        assertThat(other.exitCode()).isEqualTo(ExitCodes.RUNTIME);
        assertThat(other.errLines()).hasSize(1);
        assertThat(other.err())
                .startsWith("pgferry: error: checkpoint ")
                .contains(checkpoint.toAbsolutePath().toString())
                .contains("another source, slot, publication or table list");
        assertThat(Files.readString(checkpoint, StandardCharsets.UTF_8)).isEqualTo(before);
        assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgferry_slot'"))
                .isEqualTo(1);
        assertThat(StreamRun.rawLines(out)).hasSize(3);
    }

    @Test
    void fromLsnSkipsEarlierTransactions(TestDatabase db, @TempDir Path dir) throws SQLException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Path out = dir.resolve("out.jsonl");
        caughtUpOk(db, out, "--tables", "public.t");
        db.execute("INSERT INTO t VALUES (1)");
        // The insert position: with synchronous_commit off the write position can still be before the commit.
        String from = db.queryString("SELECT pg_current_wal_insert_lsn()::text");
        db.execute("INSERT INTO t VALUES (2)");
        caughtUpOk(db, out, "--tables", "public.t", "--from-lsn", from);
        List<JsonNode> lines = StreamRun.lines(out);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("after")).isEqualTo(json("{\"id\":2}"));
    }
}
