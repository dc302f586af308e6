package io.pgferry.cli.stream;

import static io.pgferry.cli.StreamRun.CONTRACT;
import static io.pgferry.cli.StreamRun.caughtUpOk;
import static io.pgferry.cli.StreamRun.fieldNames;
import static io.pgferry.cli.StreamRun.json;
import static io.pgferry.cli.StreamRun.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgferry.cli.StreamRun;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgferry stream} against a real server: every value's JSON type and exact text, for a wide set of types, in
 * text and in binary format.
 */
@PgTest
class StreamValuesTest {
    /** JSON numbers whose text must be exactly PostgreSQL's. */
    private static final Set<String> NUMBERS =
            Set.of("i2", "i4", "i8", "o", "dom", "f4", "f8", "f8_tiny", "f8_negzero");
    /** Non-finite floats: their text as a JSON string. */
    private static final Set<String> FLOAT_WORDS = Set.of("f8_nan", "f8_inf", "f8_ninf");

    private static final Set<String> BOOLEANS = Set.of("b", "b2");
    private static final Set<String> JSONS = Set.of("j", "jb");

    /** Column, type and the value of row 1; row 2 is NULL everywhere but its key. */
    private static final String[][] COLUMNS = {
        {"i2", "smallint", "-32768"},
        {"i4", "int", "-2147483648"},
        {"i8", "bigint", "9223372036854775807"},
        {"o", "oid", "4294967295"},
        {"dom", "posint", "42"},
        {"n", "numeric", "12345678901234567890.123456789000"},
        {"n_nan", "numeric", "'NaN'"},
        {"f4", "real", "3.4028235e+38"},
        {"f8", "float8", "0.1"},
        {"f8_tiny", "float8", "5e-324"},
        {"f8_nan", "float8", "'NaN'"},
        {"f8_inf", "float8", "'Infinity'"},
        {"f8_ninf", "float8", "'-Infinity'"},
        {"f8_negzero", "float8", "'-0'"},
        {"b", "bool", "true"},
        {"b2", "bool", "false"},
        {"t", "text", "E'multi\\nline \"quoted\" \\\\ back\\ttab \u00e9 \\U0001F600 \\u0001 \\r end'"},
        {"vc", "varchar(10)", "'short'"},
        {"ch", "char(5)", "'ab'"},
        {"ba", "bytea", "'\\xdeadbeef00'"},
        {"ts", "timestamp", "'2024-02-29 23:59:59.123456'"},
        {"ts_inf", "timestamp", "'infinity'"},
        {"tstz", "timestamptz", "'1999-12-31 23:59:59.5+05:30'"},
        {"d", "date", "'0044-03-15 BC'"},
        {"tm", "time", "'24:00:00'"},
        {"ttz", "timetz", "'12:34:56.789+02'"},
        {"iv", "interval", "'1 year 2 mons -3 days 04:05:06.789'"},
        {"u", "uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"},
        {"ip", "inet", "'192.168.0.1/24'"},
        {"mac", "macaddr", "'08:00:2b:01:02:03'"},
        {"cash", "money", "12.34"},
        {"bits", "varbit", "B'10101'"},
        {"pt", "point", "'(1.5,-2)'"},
        {"rng", "int4range", "'[1,10)'"},
        {"x", "xml", "'<a>x</a>'"},
        {"lsn", "pg_lsn", "'16/B374D848'"},
        {"mood", "mood", "'happy'"},
        {"j", "json", "E'{\"a\":\\n [1, 2.50],\\r\\n \"dup\": 1, \"dup\": 2}'"},
        {"jb", "jsonb", "'{\"b\": [1, 2.50, null, \"s\"], \"n\": {\"x\": true}}'"},
        {"ia", "int[]", "'{{1,NULL},{3,-4}}'"},
        {"ta", "text[]", "ARRAY[ARRAY['a,b', NULL], ARRAY['NULL', 'q\"uote\\back {x}']]"},
        {"fa", "float8[]", "'{1.5,NaN,-Infinity,NULL,-0}'"},
        {"bools", "bool[]", "'{t,f,NULL}'"},
        {"jba", "jsonb[]", "ARRAY['{\"k\": [1, null]}'::jsonb, 'null', NULL, '\"s\"']"},
        {"na", "numeric[]", "'{1.50,NaN}'"},
        {"moods", "mood[]", "'{happy,sad}'"},
        {"empty", "int8[]", "'{}'"},
    };

    /** The JSON each array of row 1 must be. */
    private static final Map<String, String> ARRAYS = Map.of(
            "ia", "[[1,null],[3,-4]]",
            "ta", "[[\"a,b\",null],[\"NULL\",\"q\\\"uote\\\\back {x}\"]]",
            "fa", "[1.5,\"NaN\",\"-Infinity\",null,-0]",
            "bools", "[true,false,null]",
            "jba", "[{\"k\":[1,null]},null,null,\"s\"]",
            "na", "[\"1.50\",\"NaN\"]",
            "moods", "[\"happy\",\"sad\"]",
            "empty", "[]");

    @Test
    void everyTypeIsEncodedExactly(TestDatabase db, @TempDir Path dir) throws SQLException {
        createWide(db, COLUMNS);
        Path out = dir.resolve("out.jsonl");
        // The first run creates the publication and the slot at the current position.
        caughtUpOk(db, out, "--tables", "public.wide");

        StreamRun.inTransaction(
                db,
                "INSERT INTO wide VALUES (1, " + String.join(", ", values(COLUMNS)) + ")",
                "INSERT INTO wide (id) VALUES (2)");
        List<String> names = names(COLUMNS);
        // char(n)::text drops the padding that char's output function keeps; format('%s') calls the latter.
        Map<String, String> row1 = texts(db, "wide", "id = 1", names, Map.of("ch", "format('%s', ch)"));
        db.execute("UPDATE wide SET id = 3 WHERE id = 2");

        StreamRun.Summary summary = caughtUpOk(db, out, "--tables", "public.wide");
        assertThat(summary.transactions()).isEqualTo(2);
        assertThat(summary.changes()).isEqualTo(3);
        List<String> raw = StreamRun.rawLines(out);
        List<JsonNode> lines = StreamRun.lines(out);
        assertThat(lines).hasSize(3);

        JsonNode insert = lines.get(0);
        assertThat(fieldNames(insert)).containsExactlyElementsOf(CONTRACT);
        assertThat(insert.get("op").textValue()).isEqualTo("insert");
        assertThat(insert.get("key")).isEqualTo(json("{\"id\":1}"));
        assertThat(insert.get("before").isNull()).isTrue();
        JsonNode after = insert.get("after");
        List<String> all = new ArrayList<>(List.of("id"));
        all.addAll(names);
        assertThat(fieldNames(after)).containsExactlyElementsOf(all);
        for (String name : names) {
            assertValue(name, after.get(name), row1.get(name), raw.get(0));
        }

        JsonNode nulls = lines.get(1).get("after");
        assertThat(fieldNames(nulls)).containsExactlyElementsOf(all);
        assertThat(nulls.get("id").intValue()).isEqualTo(2);
        for (String name : names) {
            assertThat(nulls.get(name).isNull()).as(name).isTrue();
        }
        assertThat(lines.get(1).get("xid")).isEqualTo(insert.get("xid"));
        assertThat(lines.get(1).get("commit_lsn")).isEqualTo(insert.get("commit_lsn"));

        JsonNode keyChange = lines.get(2);
        assertThat(keyChange.get("op").textValue()).isEqualTo("update");
        assertThat(keyChange.get("key")).isEqualTo(json("{\"id\":2}"));
        assertThat(keyChange.get("before")).isEqualTo(json("{\"id\":2}"));
        assertThat(keyChange.get("after").get("id").intValue()).isEqualTo(3);
        assertThat(keyChange.get("xid").longValue())
                .isGreaterThan(insert.get("xid").longValue());
    }

    @Test
    void binaryFormatGivesTheSameLines(TestDatabase db, @TempDir Path dir) throws SQLException {
        // point, ranges and money have no binary rendering of their text (money's depends on lc_monetary).
        Set<String> textOnly = Set.of("pt", "rng", "cash");
        String[][] columns =
                Arrays.stream(COLUMNS).filter(c -> !textOnly.contains(c[0])).toArray(String[][]::new);
        createWide(db, columns);
        Path text = dir.resolve("text.jsonl");
        Path binary = dir.resolve("binary.jsonl");
        caughtUpOk(db, text, "--tables", "public.wide", "--slot", "text_slot");
        caughtUpOk(db, binary, "--tables", "public.wide", "--slot", "binary_slot", "--binary");
        db.execute(
                "INSERT INTO wide VALUES (1, " + String.join(", ", values(columns)) + ")",
                "INSERT INTO wide (id) VALUES (2)",
                "UPDATE wide SET t = 'changed', fa = '{}' WHERE id = 1",
                "DELETE FROM wide WHERE id = 2");
        caughtUpOk(db, text, "--tables", "public.wide", "--slot", "text_slot");
        caughtUpOk(db, binary, "--tables", "public.wide", "--slot", "binary_slot", "--binary");

        List<JsonNode> fromText = StreamRun.lines(text);
        List<JsonNode> fromBinary = StreamRun.lines(binary);
        assertThat(fromText).hasSize(4);
        assertThat(fromBinary).hasSize(4);
        for (int i = 0; i < 4; i++) {
            JsonNode t = fromText.get(i);
            JsonNode b = fromBinary.get(i);
            // Binary timestamptz renders in UTC, text in the session's time zone: the same instant.
            for (JsonNode row : List.of(t, b)) {
                if (row.get("after").isObject() && row.get("after").get("tstz").isTextual()) {
                    ((ObjectNode) row.get("after"))
                            .put("tstz", instant(row.get("after").get("tstz").textValue()));
                }
            }
            assertThat(b).as("line %d", i).isEqualTo(t);
        }
    }

    private static void assertValue(String name, JsonNode value, String text, String line) {
        assertThat(text).as(name).isNotNull();
        if (NUMBERS.contains(name)) {
            assertThat(value.isNumber()).as(name + ": " + value).isTrue();
            assertThat(line).as(name).contains("\"" + name + "\":" + text + ",");
        } else if (FLOAT_WORDS.contains(name)) {
            assertThat(value.isTextual()).as(name).isTrue();
            assertThat(value.textValue()).as(name).isEqualTo(text);
        } else if (BOOLEANS.contains(name)) {
            assertThat(value.isBoolean()).as(name).isTrue();
            assertThat(value.booleanValue()).as(name).isEqualTo(text.equals("true"));
        } else if (JSONS.contains(name)) {
            assertThat(value).as(name).isEqualTo(json(text));
        } else if (ARRAYS.containsKey(name)) {
            assertThat(value).as(name).isEqualTo(json(ARRAYS.get(name)));
        } else {
            assertThat(value.isTextual()).as(name + ": " + value).isTrue();
            assertThat(value.textValue()).as(name).isEqualTo(text);
        }
    }

    private static void createWide(TestDatabase db, String[][] columns) throws SQLException {
        List<String> definitions = new ArrayList<>();
        for (String[] c : columns) {
            definitions.add(c[0] + " " + c[1]);
        }
        db.execute(
                "CREATE DOMAIN posint AS int CHECK (VALUE > 0)",
                "CREATE TYPE mood AS ENUM ('happy', 'sad')",
                "CREATE TABLE wide (id int PRIMARY KEY, " + String.join(", ", definitions) + ")");
    }

    private static List<String> values(String[][] columns) {
        List<String> out = new ArrayList<>();
        for (String[] c : columns) {
            out.add("(" + c[2] + ")::" + c[1]);
        }
        return out;
    }

    private static List<String> names(String[][] columns) {
        List<String> out = new ArrayList<>();
        for (String[] c : columns) {
            out.add(c[0]);
        }
        return out;
    }

    /** A timestamptz's text ({@code 1999-12-31 18:29:59.5+00}, or with a +05:30 offset) as an ISO instant. */
    private static String instant(String text) {
        DateTimeFormatter pg = new DateTimeFormatterBuilder()
                .appendPattern("yyyy-MM-dd HH:mm:ss")
                .appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true)
                .appendOffset("+HH:mm", "+00")
                .toFormatter(Locale.ROOT);
        return OffsetDateTime.parse(text, pg).toInstant().toString();
    }
}
