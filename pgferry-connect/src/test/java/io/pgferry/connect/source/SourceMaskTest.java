package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.connect.ConnectCluster;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mask.file}: the source connector masks values before any record is made, as {@code pgferry sync --mask}
 * does, and validation refuses a mask the tables cannot take.
 */
@PgTest
@ExtendWith(ConnectCluster.Lifecycle.class)
class SourceMaskTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    final EmbeddedConnectCluster connect = ConnectCluster.atLeastOnce();

    @TempDir
    Path dir;

    private Path maskFile(String text) throws Exception {
        Path file = dir.resolve("masks.yaml");
        Files.writeString(file, text);
        return file;
    }

    /** Snapshot rows, new rows and old rows (REPLICA IDENTITY FULL) alike, with binary values from the server. */
    @Test
    void recordsCarryMaskedValues(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, email text, card text, note text)",
                "ALTER TABLE t REPLICA IDENTITY FULL",
                "INSERT INTO t VALUES (1, 'jane@example.org', '4111111111111111', 'paid with 4111 1111 1111 1111')");
        Path masks = maskFile(
                """
                key: 0123456789abcdef-connect-test
                columns:
                  - table: t
                    column: email
                    transform: hash
                  - table: t
                    column: card
                    transform: partial
                rules:
                  - rule: credit-card
                    transform: redact
                """);
        String name = ConnectCluster.freshName("mask");
        Map<String, String> config = SourceWorkload.connectorConfig(db, name);
        config.put("mask.file", masks.toString());
        config.put("snapshot", "true");
        config.put("binary", "true");
        ConnectCluster.configure(connect, name, config);
        ConnectCluster.await(WAIT, () -> ConnectCluster.taskRunning(connect, name), "the task of " + name);
        // The snapshot's slot exists once its row is out: the changes below come from the stream.
        SourceWorkload.consumeUntil(connect, name + ".public.t", 1, WAIT);
        db.execute(
                "INSERT INTO t VALUES (2, 'john@example.org', '5555555555554444', 'none')",
                "UPDATE t SET note = 'card 5555 5555 5555 4444' WHERE id = 1");
        List<JsonNode> values = SourceWorkload.consumeUntil(connect, name + ".public.t", 3, WAIT);
        assertThat(values).extracting(v -> v.get("op").asText()).containsExactly("r", "c", "u");
        // The row images alone: a position or a time in the envelope may hold the digits of a card by chance.
        assertThat(values)
                .extracting(v -> v.path("before").toString() + v.path("after"))
                .allSatisfy(rows -> assertThat(rows).doesNotContain("jane@", "john@", "4111", "5555"));
        JsonNode read = values.get(0).get("after");
        assertThat(read.get("email").asText()).matches("[0-9a-f]{32}");
        assertThat(read.get("card").asText()).isEqualTo("41************11");
        assertThat(read.get("note").asText()).isEqualTo("paid with *******************");
        assertThat(values.get(1).get("after").get("card").asText()).isEqualTo("55************44");
        JsonNode update = values.get(2);
        assertThat(update.get("before").get("email").asText())
                .isEqualTo(read.get("email").asText());
        assertThat(update.get("after").get("note").asText()).isEqualTo("card *******************");
        ConnectCluster.delete(connect, name);
    }

    @Test
    void validationRefusesAMaskTheTablesCannotTake(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE, amount numeric)");
        assertThat(maskErrors(db, maskFile("columns:\n  - table: t\n    column: email\n    transform: partial\n")))
                .contains("mask.file: the mask of public.t.email can map two values to one");
        assertThat(maskErrors(db, maskFile("columns:\n  - table: t\n    column: amount\n    transform: redact\n")))
                .contains("amount, which is not a text column");
        assertThat(maskErrors(db, dir.resolve("absent.yaml"))).contains("cannot be read", "check the path");
        assertThat(maskErrors(
                        db,
                        maskFile("key: env:PGFERRY_TEST_UNSET_KEY\ncolumns:\n  - table: t\n    column: email\n"
                                + "    transform: hash\n")))
                .contains("PGFERRY_TEST_UNSET_KEY, which is not set");
    }

    /** Connect's validation errors of key {@code mask.file}, joined, for a configuration with {@code masks}. */
    private String maskErrors(TestDatabase db, Path masks) {
        Map<String, String> config = SourceWorkload.connectorConfig(db, "m");
        config.put("name", "m");
        config.put("mask.file", masks.toString());
        Map<String, String> errors = new HashMap<>();
        for (ConfigInfo i : connect.validateConnectorConfig(PgferrySourceConnector.class.getSimpleName(), config)
                .configs()) {
            if (!i.configValue().errors().isEmpty()) {
                errors.put(
                        i.configValue().name(),
                        String.join("; ", i.configValue().errors()));
            }
        }
        assertThat(errors).as("the keys with errors").containsOnlyKeys("mask.file");
        return errors.get("mask.file");
    }
}
