package io.pgferry.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.pgferry.cli.CliRun;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;

@PgTest
class SlotsCommandTest {
    @Test
    void listAndDrop(TestDatabase db) throws SQLException, IOException {
        db.execute("SELECT pg_create_logical_replication_slot('pgferry_h4_list', 'pgoutput')");
        CliRun list = CliRun.run("slots", "list", "--source", db.uri());
        assertThat(list.exitCode()).as(list.err()).isEqualTo(ExitCodes.OK);
        List<String> lines = list.outLines();
        assertThat(lines.get(0)).startsWith("slot_name").contains("retained_wal_bytes");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).split("\\s+"))
                .startsWith("pgferry_h4_list", "pgoutput", "logical", db.name(), "false", "-");
        // Columns line up: every value starts where its header does.
        assertThat(lines.get(1).indexOf("pgoutput")).isEqualTo(lines.get(0).indexOf("plugin"));

        CliRun json = CliRun.run("slots", "list", "--json", "--source", db.uri());
        assertThat(json.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(json.outLines()).hasSize(1);
        Map<String, String> fields = parseFlatObject(json.outLines().get(0));
        assertThat(fields)
                .containsEntry("slot_name", "pgferry_h4_list")
                .containsEntry("plugin", "pgoutput")
                .containsEntry("slot_type", "logical")
                .containsEntry("database", db.name())
                .containsEntry("active", "false")
                .containsEntry("active_pid", null)
                .containsEntry("two_phase", "false")
                .containsEntry("wal_status", "reserved")
                .containsEntry("invalidation_reason", null)
                .containsKeys("confirmed_flush_lsn", "restart_lsn", "retained_wal_bytes", "safe_wal_bytes");
        assertThat(Long.parseLong(fields.get("retained_wal_bytes"))).isNotNegative();

        CliRun drop = CliRun.run("slots", "drop", "pgferry_h4_list", "--source", db.uri());
        assertThat(drop.exitCode()).as(drop.err()).isEqualTo(ExitCodes.OK);
        assertThat(drop.out()).isEqualTo("dropped replication slot pgferry_h4_list" + System.lineSeparator());
        assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgferry_h4_list'"))
                .isZero();

        CliRun empty = CliRun.run("slots", "list", "--source", db.uri());
        assertThat(empty.outLines()).hasSize(2);
        assertThat(empty.outLines().get(0)).startsWith("slot_name");
        assertThat(empty.outLines().get(1)).isEqualTo("(no replication slots)");
        assertThat(CliRun.run("slots", "list", "--json", "--source", db.uri()).out())
                .isEmpty();

        CliRun again = CliRun.run("slots", "drop", "pgferry_h4_list", "--source", db.uri());
        assertThat(again.exitCode()).isEqualTo(ExitCodes.RUNTIME);
        assertThat(again.errLines())
                .containsExactly(
                        "pgferry: error: replication slot pgferry_h4_list does not exist; fix: SELECT slot_name FROM"
                                + " pg_replication_slots lists the slots; this connection is to database " + db.name());
    }

    @Test
    void slotInUseIsRefusedNamingTheProcess(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY)",
                "CREATE PUBLICATION pub FOR TABLE t",
                "SELECT pg_create_logical_replication_slot('pgferry_h4_busy', 'pgoutput')");
        PGConnection pg = Connections.openReplication(Dsn.parse(db.uri()));
        long pid;
        Connection replication = (Connection) pg;
        try {
            PGReplicationStream stream = pg.getReplicationAPI()
                    .replicationStream()
                    .logical()
                    .withSlotName("pgferry_h4_busy")
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", "pub")
                    .start();
            // START_REPLICATION acquires the slot before the server answers with CopyBothResponse.
            pid = db.queryLong("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'pgferry_h4_busy'");

            CliRun list = CliRun.run("slots", "list", "--source", db.uri());
            assertThat(list.outLines().get(1).split("\\s+")).contains("true", Long.toString(pid));

            CliRun drop = CliRun.run("slots", "drop", "pgferry_h4_busy", "--source", db.uri());
            assertThat(drop.exitCode()).isEqualTo(ExitCodes.RUNTIME);
            assertThat(drop.errLines())
                    .containsExactly("pgferry: error: replication slot pgferry_h4_busy is in use by process " + pid
                            + "; fix: stop the consumer using it, or end that session: SELECT"
                            + " pg_terminate_backend(" + pid + ")");
            stream.close();
        } finally {
            replication.close();
        }
        awaitInactive(db, "pgferry_h4_busy", Duration.ofSeconds(30));
        CliRun drop = CliRun.run("slots", "drop", "pgferry_h4_busy", "--source", db.uri());
        assertThat(drop.exitCode()).as(drop.err()).isEqualTo(ExitCodes.OK);
    }

    /** The walsender releases the slot as it exits, shortly after the client disconnects. */
    private static void awaitInactive(TestDatabase db, String slot, Duration timeout) throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String sql = "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active";
        while (db.queryLong(sql) != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("slot " + slot + " still active after " + timeout);
            }
        }
    }

    /** Reads one flat JSON object into field -> text (null for JSON null). */
    private static Map<String, String> parseFlatObject(String line) throws IOException {
        Map<String, String> out = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(line)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                out.put(name, value == JsonToken.VALUE_NULL ? null : p.getText());
            }
            assertThat(p.nextToken()).isNull();
        }
        return out;
    }
}
