package io.pgferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --log-format json} on every long-running command, at debug level, on a real server (issue #9): standard
 * error holds one JSON object per line (the command's own lines too), with time, level, logger and message; and
 * neither the password nor a row value reaches it, as the library's {@code LogSafetyTest} checks for text logs.
 */
@PgTest
class JsonLogsTest {
    private static final String SECRET = "s3cr3t-row-value-42";
    /** Built on the server, so no SQL text the test sends holds the secret. */
    private static final String SECRET_SQL = "('s3cr3t-row-' || 'value-' || (40 + 2)::text)";

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyLongRunningCommandLogsJsonLinesWithoutSecrets(TestDatabase db, PostgresServer server) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, note text)",
                "INSERT INTO t SELECT i, " + SECRET_SQL
                        + " || ' card 4111 1111 1111 1111' FROM generate_series(1, 50) i");
        String[] json = {"--log-format", "json", "--log-level", "debug"};
        assertThat(CliRun.run("guard", "install", "--dsn", db.uri()).exitCode()).isZero();
        assertThat(CliRun.run("guard", "register", "--dsn", db.uri(), "--table", "t")
                        .exitCode())
                .isZero();
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            List<String[]> commands = List.of(
                    args(
                            json,
                            "stream",
                            "--source",
                            db.uri(),
                            "--tables",
                            "public.t",
                            "--snapshot",
                            "--output",
                            dir.resolve("out.jsonl").toString(),
                            "--until-caught-up"),
                    args(json, "sync", "--source", db.uri(), "--target", target.uri(), "--until-caught-up"),
                    args(
                            json,
                            "scan",
                            "--source",
                            db.uri(),
                            "--tables",
                            "public.t",
                            "--snapshot",
                            "--channel",
                            "jsonl:" + dir.resolve("findings.jsonl"),
                            "--until-caught-up"),
                    args(json, "guard", "run", "--once", "--dsn", db.uri()));
            for (String[] command : commands) {
                db.execute("UPDATE t SET note = " + SECRET_SQL + " || ' again' WHERE id = 1");
                ChildCli run = ChildCli.run(dir, Duration.ofSeconds(120), Map.of(), command);
                String name = String.join(" ", command).replaceAll(" --.*", "");
                assertThat(run.exitCode()).as(name + ": " + run.err()).isZero();
                assertThat(run.errLines()).as(name).isNotEmpty().allSatisfy(line -> {
                    JsonNode event = JSON.readTree(line);
                    assertThat(event.isObject()).as(line).isTrue();
                    assertThat(event.get("timestamp").isNumber()).as(line).isTrue();
                    assertThat(event.get("level").asText()).as(line).isIn("ERROR", "WARN", "INFO", "DEBUG");
                    assertThat(event.get("loggerName").asText()).as(line).isNotEmpty();
                    assertThat(event.get("formattedMessage").isTextual())
                            .as(line)
                            .isTrue();
                });
                assertThat(run.err()).as(name).doesNotContain(SECRET, "4111 1111 1111 1111", server.password());
            }
        }
    }

    private static String[] args(String[] first, String... rest) {
        String[] all = new String[first.length + rest.length];
        System.arraycopy(rest, 0, all, 0, rest.length);
        // The logging options after the subcommand's name, where a user of a subcommand puts them.
        int at = rest[0].equals("guard") ? 2 : 1;
        System.arraycopy(rest, 0, all, 0, at);
        System.arraycopy(first, 0, all, at, first.length);
        System.arraycopy(rest, at, all, at + first.length, rest.length - at);
        return all;
    }
}
