package io.pgferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@code pgferry stream --until-caught-up --output FILE} in-process and reads back what it wrote. */
public final class StreamRun {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    public static final List<String> CONTRACT =
            List.of("op", "schema", "table", "key", "before", "after", "lsn", "commit_lsn", "xid", "commit_ts");
    private static final Pattern SUMMARY =
            Pattern.compile("pgferry: (\\d+) transactions, (\\d+) changes, acknowledged up to ([0-9A-F]+/[0-9A-F]+)");

    private StreamRun() {}

    /** {@code stream --source <db> --until-caught-up --output <output> <more>}. */
    public static CliRun caughtUp(TestDatabase db, Path output, String... more) {
        List<String> args = new ArrayList<>(
                List.of("stream", "--source", db.uri(), "--until-caught-up", "--output", output.toString()));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    /** Like {@link #caughtUp}, and asserts exit 0 with only the summary line on stderr. */
    public static Summary caughtUpOk(TestDatabase db, Path output, String... more) {
        CliRun r = caughtUp(db, output, more);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).hasSize(1);
        Matcher m = SUMMARY.matcher(r.errLines().get(0));
        assertThat(m.matches()).as(r.err()).isTrue();
        return new Summary(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3));
    }

    /** The summary line of a successful run. */
    public record Summary(long transactions, long changes, String acknowledged) {}

    /** Every line of {@code file}, each parsed as one JSON object. */
    public static List<JsonNode> lines(Path file) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : rawLines(file)) {
            try {
                JsonNode node = MAPPER.readTree(line);
                assertThat(node.isObject()).as(line).isTrue();
                out.add(node);
            } catch (IOException e) {
                throw new AssertionError("not one JSON object: " + abbreviate(line), e);
            }
        }
        return out;
    }

    public static List<String> rawLines(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            assertThat(text.isEmpty() || text.endsWith("\n"))
                    .as("ends with a newline")
                    .isTrue();
            return text.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Runs the statements as one transaction. */
    public static void inTransaction(TestDatabase db, String... sql) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String s : sql) {
                    st.execute(s);
                }
            }
            c.commit();
        }
    }

    /** {@code SELECT col::text} of each column of the one row {@code where} selects, by column name. */
    public static Map<String, String> texts(TestDatabase db, String table, String where, List<String> columns)
            throws SQLException {
        return texts(db, table, where, columns, Map.of());
    }

    /** The same, with the SQL expression of some columns given in {@code expressions} instead of col::text. */
    public static Map<String, String> texts(
            TestDatabase db, String table, String where, List<String> columns, Map<String, String> expressions)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            String name = columns.get(i);
            sql.append(i == 0 ? "" : ", ").append(expressions.getOrDefault(name, name + "::text"));
        }
        sql.append(" FROM ").append(table).append(" WHERE ").append(where);
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql.toString())) {
            assertThat(rs.next()).as(sql.toString()).isTrue();
            for (int i = 0; i < columns.size(); i++) {
                out.put(columns.get(i), rs.getString(i + 1));
            }
            assertThat(rs.next()).as(sql.toString()).isFalse();
        }
        return out;
    }

    /** Replication slots and publications of the database: a failed start must leave none behind. */
    public static long slotsAndPublications(TestDatabase db) throws SQLException {
        return db.queryLong("SELECT (SELECT count(*) FROM pg_replication_slots WHERE database = current_database())"
                + " + (SELECT count(*) FROM pg_publication)");
    }

    public static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
