package io.pgferry.cli.json;

import static io.pgferry.cli.json.Changes.UNCHANGED_TOAST;
import static io.pgferry.cli.json.Changes.column;
import static io.pgferry.cli.json.Changes.oldKey;
import static io.pgferry.cli.json.Changes.relation;
import static io.pgferry.cli.json.Changes.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.value.BuiltinTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON line of each kind of change, and the value encoding, from hand-built rows (no server). */
class ChangeJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> CONTRACT =
            List.of("op", "schema", "table", "key", "before", "after", "lsn", "commit_lsn", "xid", "commit_ts");

    @Test
    void scalarValues() throws IOException {
        Relation r = relation(
                "v",
                column("i8", BuiltinTypes.INT8),
                column("f8", BuiltinTypes.FLOAT8),
                column("nan", BuiltinTypes.FLOAT8),
                column("inf", BuiltinTypes.FLOAT4),
                column("ninf", BuiltinTypes.FLOAT8),
                column("negzero", BuiltinTypes.FLOAT8),
                column("tiny", BuiltinTypes.FLOAT8),
                column("b", BuiltinTypes.BOOL),
                column("n", BuiltinTypes.NUMERIC),
                column("t", BuiltinTypes.TEXT),
                column("ba", BuiltinTypes.BYTEA),
                column("j", BuiltinTypes.JSON),
                column("jb", BuiltinTypes.JSONB),
                column("nul", BuiltinTypes.TEXT));
        String text = "a \"quoted\" line\nand a tab\t, a backslash \\, é 😀 and \u0001";
        List<String> lines = write(tx(
                7,
                new ChangeEvent.Insert(
                        Lsn.of(0x100),
                        r,
                        row(
                                r,
                                "1",
                                "-9223372036854775808",
                                "1.2345678901234567e+300",
                                "NaN",
                                "Infinity",
                                "-Infinity",
                                "-0",
                                "5e-324",
                                "f",
                                "12345678901234567890.000100",
                                text,
                                "\\x00ff",
                                "{\"a\":\r\n  [1, 2.50],\n \"s\": \"x\\ny\"}",
                                "{\"k\": null}",
                                null))));
        assertThat(lines).hasSize(1);
        String line = lines.get(0);
        assertThat(line)
                .contains("\"i8\":-9223372036854775808,")
                .contains("\"f8\":1.2345678901234567e+300,")
                .contains("\"negzero\":-0,")
                .contains("\"tiny\":5e-324,");
        JsonNode after = MAPPER.readTree(line).get("after");
        assertThat(after.get("id").isIntegralNumber()).isTrue();
        assertThat(after.get("i8").longValue()).isEqualTo(Long.MIN_VALUE);
        assertThat(after.get("nan").textValue()).isEqualTo("NaN");
        assertThat(after.get("inf").textValue()).isEqualTo("Infinity");
        assertThat(after.get("ninf").textValue()).isEqualTo("-Infinity");
        assertThat(after.get("b").isBoolean()).isTrue();
        assertThat(after.get("b").booleanValue()).isFalse();
        assertThat(after.get("n").textValue()).isEqualTo("12345678901234567890.000100");
        assertThat(after.get("t").textValue()).isEqualTo(text);
        assertThat(after.get("ba").textValue()).isEqualTo("\\x00ff");
        assertThat(after.get("j")).isEqualTo(MAPPER.readTree("{\"a\": [1, 2.50], \"s\": \"x\\ny\"}"));
        assertThat(after.get("jb")).isEqualTo(MAPPER.readTree("{\"k\": null}"));
        assertThat(after.get("nul").isNull()).isTrue();
    }

    /**
     * ASCII text is written from the message's bytes and anything else through a String (so that bytes that are not
     * valid UTF-8 still give valid output); both must escape exactly as Jackson escapes a String.
     */
    @Test
    void textIsEscapedAsJacksonEscapesAString() throws IOException {
        StringBuilder ascii = new StringBuilder();
        for (char c = 0; c < 128; c++) {
            ascii.append(c);
        }
        String mixed = ascii + "é 😀 \u2028";
        Relation r = relation("e", column("a", BuiltinTypes.TEXT), column("m", BuiltinTypes.VARCHAR));
        String line = write(tx(11, new ChangeEvent.Insert(Lsn.of(0x100), r, row(r, "1", ascii.toString(), mixed))))
                .get(0);
        assertThat(line).contains("\"a\":" + jacksonString(ascii.toString()) + ",\"m\":" + jacksonString(mixed) + "}");
        JsonNode after = MAPPER.readTree(line).get("after");
        assertThat(after.get("a").textValue()).isEqualTo(ascii.toString());
        assertThat(after.get("m").textValue()).isEqualTo(mixed);
    }

    private static String jacksonString(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeString(text);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void arraysNestWithNulls() throws IOException {
        Relation r = relation(
                "a",
                column("ia", BuiltinTypes.INT4_ARRAY),
                column("ta", BuiltinTypes.TEXT_ARRAY),
                column("fa", BuiltinTypes.FLOAT8_ARRAY),
                column("bools", BuiltinTypes.BOOL_ARRAY),
                column("ja", BuiltinTypes.JSON_ARRAY),
                column("na", BuiltinTypes.NUMERIC_ARRAY),
                column("empty", BuiltinTypes.INT8_ARRAY));
        List<String> lines = write(tx(
                8,
                new ChangeEvent.Insert(
                        Lsn.of(0x100),
                        r,
                        row(
                                r,
                                "2",
                                "{{1,NULL},{3,-4}}",
                                "{{\"a,b\",NULL},{\"NULL\",\"q\\\"uote\\\\back\"}}",
                                "{1.5,NaN,-Infinity,NULL,-0}",
                                "{t,f,NULL}",
                                "{\"{\\\"k\\\":\n [1, null]}\",NULL,\"\\\"s\\\"\"}",
                                "{1.50,NaN}",
                                "{}"))));
        JsonNode after = MAPPER.readTree(lines.get(0)).get("after");
        assertThat(after.get("ia")).isEqualTo(MAPPER.readTree("[[1,null],[3,-4]]"));
        assertThat(after.get("ta")).isEqualTo(MAPPER.readTree("[[\"a,b\",null],[\"NULL\",\"q\\\"uote\\\\back\"]]"));
        assertThat(after.get("fa")).isEqualTo(MAPPER.readTree("[1.5,\"NaN\",\"-Infinity\",null,-0]"));
        assertThat(lines.get(0)).contains("\"fa\":[1.5,\"NaN\",\"-Infinity\",null,-0]");
        assertThat(after.get("bools")).isEqualTo(MAPPER.readTree("[true,false,null]"));
        assertThat(after.get("ja")).isEqualTo(MAPPER.readTree("[{\"k\":[1,null]},null,\"s\"]"));
        assertThat(after.get("na")).isEqualTo(MAPPER.readTree("[\"1.50\",\"NaN\"]"));
        assertThat(after.get("empty")).isEqualTo(MAPPER.readTree("[]"));
    }

    @Test
    void rowChangesCarryKeyBeforeAfterAndUnchangedToast() throws IOException {
        Relation r = relation("d", column("body", BuiltinTypes.TEXT), column("note", BuiltinTypes.TEXT));
        List<String> lines = write(tx(
                9,
                new ChangeEvent.Update(Lsn.of(0x100), r, null, row(r, "1", UNCHANGED_TOAST, "n2")),
                new ChangeEvent.Update(
                        Lsn.of(0x110), r, oldKey(r, "1", null, null), row(r, "2", UNCHANGED_TOAST, null)),
                new ChangeEvent.Delete(Lsn.of(0x120), r, oldKey(r, "2", null, null))));
        assertThat(lines).hasSize(3);
        JsonNode update = MAPPER.readTree(lines.get(0));
        assertThat(fields(update)).containsExactly(withUnchangedToast());
        assertThat(update.get("key")).isEqualTo(MAPPER.readTree("{\"id\":1}"));
        assertThat(update.get("before").isNull()).isTrue();
        assertThat(update.get("after")).isEqualTo(MAPPER.readTree("{\"id\":1,\"note\":\"n2\"}"));
        assertThat(update.get("unchanged_toast")).isEqualTo(MAPPER.readTree("[\"body\"]"));

        JsonNode keyChange = MAPPER.readTree(lines.get(1));
        assertThat(keyChange.get("key")).isEqualTo(MAPPER.readTree("{\"id\":1}"));
        assertThat(keyChange.get("before")).isEqualTo(MAPPER.readTree("{\"id\":1}"));
        assertThat(keyChange.get("after")).isEqualTo(MAPPER.readTree("{\"id\":2,\"note\":null}"));

        JsonNode delete = MAPPER.readTree(lines.get(2));
        assertThat(fields(delete)).containsExactlyElementsOf(CONTRACT);
        assertThat(delete.get("op").textValue()).isEqualTo("delete");
        assertThat(delete.get("key")).isEqualTo(MAPPER.readTree("{\"id\":2}"));
        assertThat(delete.get("before")).isEqualTo(MAPPER.readTree("{\"id\":2}"));
        assertThat(delete.get("after").isNull()).isTrue();
        assertThat(delete.get("lsn").textValue()).isEqualTo("0/120");
        assertThat(delete.get("commit_lsn").textValue()).isEqualTo("0/1000");
        assertThat(delete.get("xid").longValue()).isEqualTo(9);
        assertThat(delete.get("commit_ts").textValue()).isEqualTo("2026-01-02T03:04:05.123456Z");
    }

    @Test
    void truncateAndMessageLinesHaveTheContractFields() throws IOException {
        Relation a = relation("a");
        Relation b = relation("b");
        List<String> lines = write(tx(
                10,
                new ChangeEvent.Truncate(Lsn.of(0x100), List.of(a, b), true, false),
                new ChangeEvent.Message(Lsn.of(0x110), "pfx", "hi".getBytes(StandardCharsets.UTF_8), true)));
        assertThat(lines).hasSize(3);
        for (String table : List.of("a", "b")) {
            JsonNode t = MAPPER.readTree(lines.get(table.equals("a") ? 0 : 1));
            assertThat(fields(t)).containsAll(CONTRACT).hasSize(CONTRACT.size() + 2);
            assertThat(t.get("op").textValue()).isEqualTo("truncate");
            assertThat(t.get("table").textValue()).isEqualTo(table);
            assertThat(t.get("cascade").booleanValue()).isTrue();
            assertThat(t.get("restart_identity").booleanValue()).isFalse();
            assertThat(t.get("key").isNull()).isTrue();
            assertThat(t.get("before").isNull()).isTrue();
            assertThat(t.get("after").isNull()).isTrue();
        }
        JsonNode m = MAPPER.readTree(lines.get(2));
        assertThat(fields(m)).containsAll(CONTRACT).hasSize(CONTRACT.size() + 4);
        assertThat(m.get("op").textValue()).isEqualTo("message");
        assertThat(m.get("schema").isNull()).isTrue();
        assertThat(m.get("table").isNull()).isTrue();
        assertThat(m.get("prefix").textValue()).isEqualTo("pfx");
        assertThat(m.get("content").textValue()).isEqualTo("\\x6869");
        assertThat(m.get("content_text").textValue()).isEqualTo("hi");
        assertThat(m.get("transactional").booleanValue()).isTrue();
    }

    /** Issue #9: content_text is the content only when it is valid UTF-8, never a lossy decoding. */
    @Test
    void contentTextIsNullUnlessTheContentIsValidUtf8() {
        assertThat(ChangeJson.utf8("żółw ✓".getBytes(StandardCharsets.UTF_8))).isEqualTo("żółw ✓");
        assertThat(ChangeJson.utf8(new byte[0])).isEmpty();
        assertThat(ChangeJson.utf8(new byte[] {(byte) 0xff})).isNull();
        assertThat(ChangeJson.utf8(new byte[] {'a', (byte) 0xc3}))
                .as("a truncated sequence")
                .isNull();
        assertThat(ChangeJson.utf8(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}))
                .as("a surrogate")
                .isNull();
    }

    @Test
    void snapshotRowsHaveNoXidNorCommitTime() throws IOException {
        Relation r = relation("s");
        Transaction snapshot = Changes.transaction(
                0,
                0x2000,
                Transaction.Kind.SNAPSHOT,
                List.<ChangeEvent>of(new ChangeEvent.Read(Lsn.of(0x2000), r, row(r, "5")))
                        .iterator(),
                lsn -> {});
        JsonNode read = MAPPER.readTree(write(snapshot).get(0));
        assertThat(fields(read)).containsExactlyElementsOf(CONTRACT);
        assertThat(read.get("op").textValue()).isEqualTo("read");
        assertThat(read.get("key")).isEqualTo(MAPPER.readTree("{\"id\":5}"));
        assertThat(read.get("before").isNull()).isTrue();
        assertThat(read.get("xid").isNull()).isTrue();
        assertThat(read.get("commit_ts").isNull()).isTrue();
        assertThat(read.get("lsn").textValue()).isEqualTo("0/2000");
    }

    /**
     * A message outside a transaction carries no commit time from the server, and none is made up: commit_ts is null,
     * not the local clock at delivery. Guards issue #5.
     */
    @Test
    void aLoneMessageHasNoXidNorCommitTime() throws IOException {
        Transaction lone = Changes.transaction(
                0,
                0x3000,
                Transaction.Kind.MESSAGE,
                List.<ChangeEvent>of(new ChangeEvent.Message(
                                Lsn.of(0x3000), "nt", "hi".getBytes(StandardCharsets.UTF_8), false))
                        .iterator(),
                lsn -> {});
        JsonNode m = MAPPER.readTree(write(lone).get(0));
        assertThat(fields(m)).containsAll(CONTRACT);
        assertThat(m.get("op").textValue()).isEqualTo("message");
        assertThat(m.get("transactional").booleanValue()).isFalse();
        assertThat(m.get("xid").isNull()).isTrue();
        assertThat(m.get("commit_ts").isNull())
                .as("no commit time, and not the local clock")
                .isTrue();
    }

    private static Transaction tx(long xid, ChangeEvent... changes) {
        return Changes.transaction(xid, 0x1000, List.of(changes), lsn -> {});
    }

    /**
     * The lines {@link JsonLinesHandler} writes for {@code tx}; each must be one line of valid JSON, and the same when
     * the changes were prepared as they arrived.
     */
    static List<String> write(Transaction tx) throws IOException {
        List<ChangeEvent> changes = new ArrayList<>();
        tx.forEach(changes::add);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonLinesHandler handler = JsonLinesHandler.toStream(out, 0)) {
            handler.onTransaction(new Transaction(
                    tx.xid(),
                    tx.commitLsn(),
                    tx.endLsn(),
                    tx.commitTime(),
                    null,
                    tx.kind(),
                    changes.iterator(),
                    lsn -> {}));
        }
        String text = out.toString(StandardCharsets.UTF_8);
        ByteArrayOutputStream preparedOut = new ByteArrayOutputStream();
        try (JsonLinesHandler handler = JsonLinesHandler.toStream(preparedOut, 0)) {
            handler.onTransaction(Transaction.withPreparedChanges(
                    tx.xid(),
                    tx.commitLsn(),
                    tx.endLsn(),
                    tx.commitTime(),
                    null,
                    tx.kind(),
                    Changes.prepareAll(handler, changes).iterator(),
                    lsn -> {}));
        }
        assertThat(preparedOut.toString(StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(text).endsWith("\n");
        List<String> lines = text.lines().toList();
        for (String line : lines) {
            assertThat(MAPPER.readTree(line).isObject()).as(line).isTrue();
        }
        return lines;
    }

    static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String[] withUnchangedToast() {
        List<String> names = new ArrayList<>(CONTRACT.subList(0, 6));
        names.add("unchanged_toast");
        names.addAll(CONTRACT.subList(6, CONTRACT.size()));
        return names.toArray(String[]::new);
    }
}
