package io.pgferry.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.scan.rules.Scope;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ScanJob} end to end on a real server: what is found, where, and what never leaves the process. */
@PgTest
@Tag("scan")
class ScanJobTest {
    /** One value of each kind the bundled rules find, with the rule that must find it. */
    private static final List<String[]> SENSITIVE = List.of(
            new String[] {"credit-card", "4111 1111 1111 1111"},
            new String[] {"ssn", "219-09-9999"},
            new String[] {"phone", "+44 20 7946 0958"},
            new String[] {"email", "jane.roe@example.org"},
            new String[] {"iban", "GB82 WEST 1234 5698 7654 32"},
            new String[] {"aws-access-key-id", "AKIAIOSFODNN7EXAMPLE"},
            new String[] {"github-token", "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"},
            new String[] {"private-key", "-----BEGIN RSA PRIVATE KEY-----"});

    @TempDir
    Path dir;

    private static void createTable(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, note text, doc jsonb, tags text[], amount numeric)");
    }

    @Test
    void insertAndUpdateOfEachKindGiveExactlyOneFindingEach(TestDatabase db) throws Exception {
        createTable(db);
        ScanRun scan = new ScanRun(db, dir);
        scan.run(); // creates the publication and slot
        int id = 0;
        for (String[] s : SENSITIVE) {
            id++;
            db.execute("INSERT INTO t (id, note) VALUES (" + id + ", 'ref " + s[1] + " end')");
            db.execute("UPDATE t SET note = 'again " + s[1] + "' WHERE id = " + id);
        }
        scan.run();

        List<JsonNode> found = scan.findings();
        assertThat(found).hasSize(2 * SENSITIVE.size());
        for (int i = 0; i < SENSITIVE.size(); i++) {
            String rule = SENSITIVE.get(i)[0];
            String key = String.valueOf(i + 1);
            assertThat(found.stream().filter(f -> f.get("rule").asText().equals(rule)))
                    .as("findings of %s", rule)
                    .extracting(f ->
                            f.get("op").asText() + " " + f.get("key").get("id").asText() + " "
                                    + f.get("column").asText())
                    .containsExactly("insert " + key + " note", "update " + key + " note");
        }
        JsonNode card = found.get(0);
        assertThat(card.get("sample").asText()).isEqualTo("41***************11");
        assertThat(card.get("database").asText()).endsWith(":" + db.server().port() + "/" + db.name());
        assertThat(card.get("commit_lsn").asText()).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(card.get("commit_time").asText()).isNotEmpty();
        assertThat(card.get("fingerprint").asText()).hasSize(32);
        assertNoRawValue(scan);
    }

    @Test
    void findsValuesInsideJsonbAndTextArraysAndEveryMatchInAValue(TestDatabase db) throws Exception {
        createTable(db);
        ScanRun scan = new ScanRun(db, dir);
        scan.run();
        db.execute("INSERT INTO t (id, doc, tags, note) VALUES (1,"
                + " '{\"contact\": {\"emails\": [\"x\", \"jane.roe@example.org\"]}, \"n\": 4111111111111111}',"
                + " ARRAY['plain', 'ssn 219-09-9999'],"
                + " '4111 1111 1111 1111 and 5555 5555 5555 4444')");
        scan.run();
        List<JsonNode> found = scan.findings();
        assertThat(found)
                .extracting(f -> f.get("column").asText() + " "
                        + (f.has("path") ? f.get("path").asText() : "-") + " "
                        + f.get("rule").asText())
                .containsExactlyInAnyOrder(
                        "note - credit-card", "note - credit-card", "doc $.contact.emails[1] email", "tags [2] ssn");
        assertNoRawValue(scan);
    }

    /**
     * Issue 8, defect 7: under REPLICA IDENTITY FULL pgsense-rs treated every column as a key and copied it into the
     * alert, excluded columns too. A finding names the primary key only, and never an excluded column.
     */
    @Test
    void replicaIdentityFullFindingCarriesThePrimaryKeyOnly(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, note text, password_hash text)",
                "ALTER TABLE t REPLICA IDENTITY FULL");
        ScanRun scan = new ScanRun(db, dir)
                .scope(Scope.of(List.of(), List.of(), List.of(), List.of(), List.of("password_hash")));
        scan.run();
        db.execute("INSERT INTO t VALUES (7, 'plain', 'hash-4111111111111111-secret')");
        db.execute("UPDATE t SET note = 'mail jane.roe@example.org' WHERE id = 7");
        scan.run();
        List<JsonNode> found = scan.findings();
        assertThat(found).hasSize(1);
        JsonNode f = found.get(0);
        assertThat(f.get("rule").asText()).isEqualTo("email");
        assertThat(f.get("key").size()).isEqualTo(1);
        assertThat(f.get("key").get("id").asText()).isEqualTo("7");
        assertThat(Files.readString(scan.findingsFile())).doesNotContain("hash-", "password_hash", "plain");
    }

    @Test
    void snapshotFindsRowsThatExistedBeforeTheSlot(TestDatabase db) throws Exception {
        createTable(db);
        db.execute("INSERT INTO t (id, note) SELECT g, 'row ' || g FROM generate_series(1, 5000) g");
        db.execute("UPDATE t SET note = 'card 4111111111111111' WHERE id IN (17, 4242)");
        db.execute("UPDATE t SET doc = '{\"mail\": \"jane.roe@example.org\"}' WHERE id = 99");
        ScanRun scan = new ScanRun(db, dir).snapshot(true);
        ScanJob job = scan.run();
        assertThat(job.snapshotRows()).isEqualTo(5000);
        assertThat(scan.findings())
                .extracting(f -> f.get("op").asText() + " "
                        + f.get("key").get("id").asText() + " " + f.get("rule").asText())
                .containsExactlyInAnyOrder("read 17 credit-card", "read 4242 credit-card", "read 99 email");
        // Streaming goes on from the snapshot: a later insert is found once, the snapshot's rows not again.
        db.execute("INSERT INTO t (id, note) VALUES (9001, 'ssn 219-09-9999')");
        new ScanRun(db, dir).run();
        assertThat(scan.findings()).hasSize(4);
        assertThat(scan.findings().get(3).get("op").asText()).isEqualTo("insert");
    }

    /** Card numbers kept as numbers are found only when numeric and bigint columns are asked for. */
    @Test
    void numericColumnsAreScannedWhenAskedFor(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, note text, doc jsonb, tags text[], amount numeric,"
                + " card bigint)");
        db.execute("INSERT INTO t (id, amount, card) VALUES (1, 4111111111111111, 5555555555554444)");
        new ScanRun(db, dir).snapshot(true).run();
        assertThat(new ScanRun(db, dir).findings()).isEmpty();
        Path other = Files.createDirectories(dir.resolve("numbers"));
        ScanRun numbers = new ScanRun(db, other).numbers(true).snapshot(true);
        db.execute("SELECT pg_drop_replication_slot('scan_slot')");
        numbers.run();
        assertThat(numbers.findings())
                .extracting(f -> f.get("column").asText() + " " + f.get("rule").asText())
                .containsExactlyInAnyOrder("amount credit-card", "card credit-card");
    }

    @Test
    void deduplicationHoldsAcrossARestart(TestDatabase db) throws Exception {
        createTable(db);
        ScanRun scan = new ScanRun(db, dir).dedupWindow(Duration.ofHours(1));
        scan.run();
        db.execute("INSERT INTO t (id, note) VALUES (1, 'jane.roe@example.org')");
        scan.run();
        assertThat(scan.findings()).hasSize(1);
        db.execute("UPDATE t SET note = 'jane.roe@example.org' WHERE id = 1");
        db.execute("UPDATE t SET note = 'other: john.doe@example.org' WHERE id = 1");
        scan.run();
        assertThat(scan.findings())
                .extracting(f -> f.get("sample").asText())
                .containsExactly("ja****************rg", "jo****************rg");
    }

    /** No raw sensitive value in the findings file or the state directory. */
    private void assertNoRawValue(ScanRun scan) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1);
                for (String[] s : SENSITIVE) {
                    assertThat(content).as("file %s", p).doesNotContain(s[1]);
                }
            }
        }
    }
}
