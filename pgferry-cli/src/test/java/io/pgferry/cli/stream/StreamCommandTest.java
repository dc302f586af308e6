package io.pgferry.cli.stream;

import static io.pgferry.cli.StreamRun.CONTRACT;
import static io.pgferry.cli.StreamRun.caughtUpOk;
import static io.pgferry.cli.StreamRun.fieldNames;
import static io.pgferry.cli.StreamRun.inTransaction;
import static io.pgferry.cli.StreamRun.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.cli.ChildCli;
import io.pgferry.cli.StreamRun;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.core.Lsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgferry stream} end to end: every kind of change, replica identities, TOAST, transactions, summary. */
@PgTest
class StreamCommandTest {
    private static final String TABLES = "public.keyed,public.full_t,public.idx_t,public.doc,public.par,public.chi";

    @Test
    void everyKindOfChange(TestDatabase db, @TempDir Path dir) throws SQLException {
        db.execute(
                "CREATE TABLE keyed (id int PRIMARY KEY, v text)",
                "CREATE TABLE full_t (a int, b text)",
                "ALTER TABLE full_t REPLICA IDENTITY FULL",
                "CREATE TABLE idx_t (a int NOT NULL, b int NOT NULL, c text)",
                "CREATE UNIQUE INDEX idx_t_ab ON idx_t (a, b)",
                "ALTER TABLE idx_t REPLICA IDENTITY USING INDEX idx_t_ab",
                "CREATE TABLE doc (id int PRIMARY KEY, body text, note text)",
                "CREATE TABLE par (id serial PRIMARY KEY)",
                "CREATE TABLE chi (id int PRIMARY KEY, par_id int REFERENCES par)");
        Path out = dir.resolve("out.jsonl");
        StreamRun.Summary first = caughtUpOk(db, out, "--tables", TABLES);
        assertThat(first.transactions()).isZero();
        assertThat(StreamRun.rawLines(out)).isEmpty();

        // 1: default identity (primary key).
        inTransaction(
                db,
                "INSERT INTO keyed VALUES (1, 'one'), (2, 'two')",
                "UPDATE keyed SET v = 'uno' WHERE id = 1",
                "UPDATE keyed SET id = 20 WHERE id = 2",
                "DELETE FROM keyed WHERE id = 20");
        // 2: REPLICA IDENTITY FULL.
        inTransaction(db, "INSERT INTO full_t VALUES (1, 'x')", "UPDATE full_t SET b = 'y'", "DELETE FROM full_t");
        // 3: REPLICA IDENTITY USING INDEX.
        inTransaction(
                db,
                "INSERT INTO idx_t VALUES (1, 2, 'c')",
                "UPDATE idx_t SET c = 'd'",
                "UPDATE idx_t SET b = 3",
                "DELETE FROM idx_t");
        // 4, 5: a 1 MB value stored out of line, then an update that leaves it unchanged.
        db.execute(
                "INSERT INTO doc SELECT 1, string_agg(md5(i::text), ''), 'n1' FROM generate_series(1, 32768) i",
                "UPDATE doc SET note = 'n2'");
        String body = db.queryString("SELECT body FROM doc");
        assertThat(body).hasSize(1 << 20);
        // 6: a transactional message with a row; 7: a non-transactional one.
        inTransaction(
                db, "INSERT INTO keyed VALUES (3, 'three')", "SELECT pg_logical_emit_message(true, 'pfx', 'payload')");
        db.execute("SELECT pg_logical_emit_message(false, 'nt', '\\x00ff'::bytea)");
        // 8: TRUNCATE ... CASCADE of two tables; 9: RESTART IDENTITY of one.
        db.execute("TRUNCATE par CASCADE", "TRUNCATE keyed RESTART IDENTITY");
        Lsn before = Lsn.parse(db.queryString("SELECT pg_current_wal_insert_lsn()::text"));

        StreamRun.Summary summary = caughtUpOk(db, out, "--tables", TABLES);
        List<String> raw = StreamRun.rawLines(out);
        List<JsonNode> lines = StreamRun.lines(out);
        assertThat(lines).hasSize(5 + 3 + 4 + 2 + 2 + 1 + 2 + 1);
        // 9 transactions; a TRUNCATE of two tables is one change and two lines.
        assertThat(summary.transactions()).isEqualTo(9);
        assertThat(summary.changes()).isEqualTo(lines.size() - 1);
        assertThat(Lsn.parse(summary.acknowledged())).isGreaterThanOrEqualTo(before);

        for (JsonNode line : lines) {
            List<String> fields = fieldNames(line);
            switch (line.get("op").textValue()) {
                case "insert", "delete" -> assertThat(fields).containsExactlyElementsOf(CONTRACT);
                case "update" -> assertThat(fields).containsAll(CONTRACT).hasSizeBetween(10, 11);
                case "truncate" -> assertThat(fields)
                        .containsAll(CONTRACT)
                        .contains("cascade", "restart_identity")
                        .hasSize(12);
                case "message" -> assertThat(fields)
                        .containsAll(CONTRACT)
                        .contains("prefix", "content", "content_text", "transactional")
                        .hasSize(14);
                default -> throw new AssertionError("unexpected op in " + line);
            }
        }
        assertTransactions(lines);
        int i = 0;

        // Primary key: the key; no old row unless the key changed, and then only the old key.
        assertRow(lines.get(i++), "insert", "keyed", "{\"id\":1}", null, "{\"id\":1,\"v\":\"one\"}");
        assertRow(lines.get(i++), "insert", "keyed", "{\"id\":2}", null, "{\"id\":2,\"v\":\"two\"}");
        assertRow(lines.get(i++), "update", "keyed", "{\"id\":1}", null, "{\"id\":1,\"v\":\"uno\"}");
        assertRow(lines.get(i++), "update", "keyed", "{\"id\":2}", "{\"id\":2}", "{\"id\":20,\"v\":\"two\"}");
        assertRow(lines.get(i++), "delete", "keyed", "{\"id\":20}", "{\"id\":20}", null);

        // FULL: the whole old row is both the key and the old row.
        assertRow(lines.get(i++), "insert", "full_t", "{\"a\":1,\"b\":\"x\"}", null, "{\"a\":1,\"b\":\"x\"}");
        assertRow(
                lines.get(i++),
                "update",
                "full_t",
                "{\"a\":1,\"b\":\"x\"}",
                "{\"a\":1,\"b\":\"x\"}",
                "{\"a\":1,\"b\":\"y\"}");
        assertRow(lines.get(i++), "delete", "full_t", "{\"a\":1,\"b\":\"y\"}", "{\"a\":1,\"b\":\"y\"}", null);

        // USING INDEX: the index columns.
        assertRow(lines.get(i++), "insert", "idx_t", "{\"a\":1,\"b\":2}", null, "{\"a\":1,\"b\":2,\"c\":\"c\"}");
        assertRow(lines.get(i++), "update", "idx_t", "{\"a\":1,\"b\":2}", null, "{\"a\":1,\"b\":2,\"c\":\"d\"}");
        assertRow(
                lines.get(i++),
                "update",
                "idx_t",
                "{\"a\":1,\"b\":2}",
                "{\"a\":1,\"b\":2}",
                "{\"a\":1,\"b\":3,\"c\":\"d\"}");
        assertRow(lines.get(i++), "delete", "idx_t", "{\"a\":1,\"b\":3}", "{\"a\":1,\"b\":3}", null);

        // TOAST: the insert carries the whole value; the update leaves it out and names it.
        JsonNode toastInsert = lines.get(i++);
        assertThat(toastInsert.get("after").get("body").textValue()).isEqualTo(body);
        assertThat(toastInsert.has("unchanged_toast")).isFalse();
        JsonNode toastUpdate = lines.get(i);
        assertThat(raw.get(i).length()).isLessThan(1000);
        i++;
        assertRow(toastUpdate, "update", "doc", "{\"id\":1}", null, "{\"id\":1,\"note\":\"n2\"}");
        assertThat(toastUpdate.get("unchanged_toast")).isEqualTo(json("[\"body\"]"));
        assertThat(fieldNames(toastUpdate).indexOf("unchanged_toast")).isEqualTo(6);

        // A transactional message belongs to its transaction.
        JsonNode withMessage = lines.get(i++);
        assertRow(withMessage, "insert", "keyed", "{\"id\":3}", null, "{\"id\":3,\"v\":\"three\"}");
        JsonNode message = lines.get(i++);
        assertThat(message.get("op").textValue()).isEqualTo("message");
        assertThat(message.get("schema").isNull()).isTrue();
        assertThat(message.get("table").isNull()).isTrue();
        assertThat(message.get("key").isNull()).isTrue();
        assertThat(message.get("before").isNull()).isTrue();
        assertThat(message.get("after").isNull()).isTrue();
        assertThat(message.get("prefix").textValue()).isEqualTo("pfx");
        assertThat(message.get("content").textValue()).isEqualTo("\\x7061796c6f6164");
        // Issue #9: valid UTF-8 is also given as text; 0xff below is not UTF-8, so its text is null.
        assertThat(message.get("content_text").textValue()).isEqualTo("payload");
        assertThat(message.get("transactional").booleanValue()).isTrue();
        assertThat(message.get("xid")).isEqualTo(withMessage.get("xid"));
        assertThat(message.get("commit_lsn")).isEqualTo(withMessage.get("commit_lsn"));
        JsonNode alone = lines.get(i++);
        assertThat(alone.get("op").textValue()).isEqualTo("message");
        assertThat(alone.get("prefix").textValue()).isEqualTo("nt");
        assertThat(alone.get("content").textValue()).isEqualTo("\\x00ff");
        assertThat(alone.get("content_text").isNull()).isTrue();
        assertThat(alone.get("transactional").booleanValue()).isFalse();
        assertThat(alone.get("xid").isNull()).isTrue();
        // The server sends no commit time with a lone message; issue #5: it was the local clock at delivery.
        assertThat(alone.get("commit_ts").isNull()).isTrue();

        // TRUNCATE: one line per table, with the statement's options.
        JsonNode t1 = lines.get(i++);
        JsonNode t2 = lines.get(i++);
        assertThat(Set.of(t1.get("table").textValue(), t2.get("table").textValue()))
                .containsExactlyInAnyOrder("par", "chi");
        for (JsonNode t : List.of(t1, t2)) {
            assertThat(t.get("op").textValue()).isEqualTo("truncate");
            assertThat(t.get("schema").textValue()).isEqualTo("public");
            assertThat(t.get("cascade").booleanValue()).isTrue();
            assertThat(t.get("restart_identity").booleanValue()).isFalse();
            assertThat(t.get("key").isNull()).isTrue();
            assertThat(t.get("before").isNull()).isTrue();
            assertThat(t.get("after").isNull()).isTrue();
        }
        assertThat(t1.get("xid")).isEqualTo(t2.get("xid"));
        JsonNode t3 = lines.get(i++);
        assertThat(t3.get("table").textValue()).isEqualTo("keyed");
        assertThat(t3.get("cascade").booleanValue()).isFalse();
        assertThat(t3.get("restart_identity").booleanValue()).isTrue();
        assertThat(i).isEqualTo(lines.size());

        // Nothing more: a third run writes no line.
        StreamRun.Summary idle = caughtUpOk(db, out, "--tables", TABLES);
        assertThat(idle.transactions()).isZero();
        assertThat(StreamRun.rawLines(out)).hasSize(lines.size());
    }

    @Test
    void writesToStandardOutputAndExitsZero(TestDatabase db, @TempDir Path dir)
            throws SQLException, IOException, InterruptedException {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        Map<String, String> env = Map.of("PGFERRY_SOURCE_DSN", db.uri());
        Duration deadline = Duration.ofSeconds(60);
        ChildCli first = ChildCli.run(dir, deadline, env, "stream", "--tables", "public.t", "--until-caught-up");
        assertThat(first.exitCode()).as(first.err()).isEqualTo(ExitCodes.OK);
        assertThat(first.stdout()).isEmptyFile();
        db.execute("INSERT INTO t VALUES (1, 'é')", "UPDATE t SET v = 'ü' WHERE id = 1");

        ChildCli second = ChildCli.run(dir, deadline, env, "stream", "--tables", "public.t", "--until-caught-up");
        assertThat(second.exitCode()).as(second.err()).isEqualTo(ExitCodes.OK);
        // Standard output carries nothing but the JSON lines, standard error nothing but the summary.
        List<JsonNode> lines = StreamRun.lines(second.stdout());
        assertThat(lines.stream().map(l -> l.get("op").textValue() + " " + l.get("after")))
                .containsExactly("insert {\"id\":1,\"v\":\"é\"}", "update {\"id\":1,\"v\":\"ü\"}");
        assertThat(second.errLines()).hasSize(1);
        assertThat(second.errLines().get(0)).startsWith("pgferry: 2 transactions, 2 changes, acknowledged up to ");
    }

    private static void assertRow(JsonNode line, String op, String table, String key, String before, String after) {
        assertThat(line.get("op").textValue()).as(line.toString()).isEqualTo(op);
        assertThat(line.get("schema").textValue()).isEqualTo("public");
        assertThat(line.get("table").textValue()).isEqualTo(table);
        assertThat(line.get("key")).as("key of " + line).isEqualTo(json(key));
        assertThat(line.get("before")).as("before of " + line).isEqualTo(before == null ? json("null") : json(before));
        assertThat(line.get("after")).as("after of " + line).isEqualTo(after == null ? json("null") : json(after));
    }

    /**
     * Lines of one transaction are adjacent and share xid, commit_lsn and commit_ts; change LSNs rise within a
     * transaction and are not past its commit; transactions come in commit order.
     */
    private static void assertTransactions(List<JsonNode> lines) {
        Map<String, List<JsonNode>> byCommit = new LinkedHashMap<>();
        for (JsonNode line : lines) {
            byCommit.computeIfAbsent(line.get("commit_lsn").textValue(), k -> new ArrayList<>())
                    .add(line);
        }
        List<Lsn> commits = byCommit.keySet().stream().map(Lsn::parse).collect(Collectors.toList());
        assertThat(commits).isSorted();
        int start = 0;
        for (List<JsonNode> tx : byCommit.values()) {
            assertThat(lines.subList(start, start + tx.size())).as("adjacent").isEqualTo(tx);
            start += tx.size();
            Lsn commit = Lsn.parse(tx.get(0).get("commit_lsn").textValue());
            Lsn previous = Lsn.INVALID;
            for (JsonNode line : tx) {
                assertThat(line.get("xid")).isEqualTo(tx.get(0).get("xid"));
                assertThat(line.get("commit_ts")).isEqualTo(tx.get(0).get("commit_ts"));
                Lsn lsn = Lsn.parse(line.get("lsn").textValue());
                assertThat(lsn).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(commit);
                previous = lsn;
            }
        }
        assertThat(byCommit).hasSize(9);
    }
}
