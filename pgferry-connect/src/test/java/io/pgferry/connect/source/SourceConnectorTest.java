package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.connect.ConnectCluster;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The source connector on a two-worker Connect cluster without exactly-once support: nothing is lost when the
 * worker running the task stops, the snapshot, resuming without repeats, heartbeats, the errors a stored offset can
 * meet, and validation.
 */
@PgTest
@ExtendWith(ConnectCluster.Lifecycle.class)
class SourceConnectorTest {
    static final Duration WAIT = Duration.ofSeconds(90);

    final EmbeddedConnectCluster connect = ConnectCluster.atLeastOnce();

    private String start(TestDatabase db, String base, Map<String, String> extra) {
        String name = ConnectCluster.freshName(base);
        Map<String, String> config = SourceWorkload.connectorConfig(db, name);
        config.putAll(extra);
        ConnectCluster.configure(connect, name, config);
        ConnectCluster.await(WAIT, () -> ConnectCluster.taskRunning(connect, name), "the task of " + name);
        return name;
    }

    private void awaitTaskFailed(String name, String because) {
        ConnectCluster.await(
                WAIT, () -> ConnectCluster.taskState(connect, name).startsWith("FAILED"), "the task to fail");
        assertThat(ConnectCluster.taskState(connect, name)).contains(because);
    }

    private static boolean query(TestDatabase db, String condition) {
        try {
            return "t".equals(db.queryString(condition));
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the connector is stopped and its slot has no reader. */
    private void awaitStopped(TestDatabase db, String name) {
        ConnectCluster.await(
                WAIT,
                () -> {
                    try {
                        return connect.connectorStatus(name).connector().state().equals("STOPPED")
                                && db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 's_" + name
                                                + "' AND NOT active")
                                        == 1;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                "connector " + name + " to stop");
    }

    @Test
    void nothingIsLostWhenTheWorkerRunningTheTaskStops(TestDatabase db) throws Exception {
        ConnectCluster.ensureTwoWorkers(connect);
        db.execute("CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)");
        String name = start(db, "alo", Map.of());
        int transactions = 150;
        SourceWorkload.runStoppingTheTaskWorkerMidway(connect, db, name, transactions);
        ConnectCluster.await(WAIT, () -> ConnectCluster.taskRunning(connect, name), "the task to move");

        int expected = transactions * (SourceWorkload.ROWS_PER_TRANSACTION + 1);
        List<JsonNode> values = SourceWorkload.consumeUntil(connect, name + ".public.t", expected, WAIT);
        Map<String, Integer> seen = new HashMap<>();
        for (JsonNode v : values) {
            seen.merge(v.get("op").asText() + ":" + v.get("after").get("id").asInt(), 1, Integer::sum);
        }
        assertThat(seen).as("every change at least once").hasSize(expected);
        // Records written but not yet committed in the offsets when the worker stopped come again: counted, not
        // failed on, as at-least-once delivery allows them.
        LoggerFactory.getLogger(SourceConnectorTest.class)
                .info(
                        "at-least-once across a stopped worker: {} duplicates of {} changes",
                        values.size() - expected,
                        expected);
        ConnectCluster.delete(connect, name);
        ConnectCluster.ensureTwoWorkers(connect);
    }

    @Test
    void theSnapshotComesFirstAndItsEndIsMarked(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)",
                "INSERT INTO t SELECT g, 0, 'old' FROM generate_series(1, 3) g");
        String name = start(db, "snap", Map.of("snapshot", "true"));
        // The slot, and so the snapshot, comes once Connect has stored that the snapshot began.
        ConnectCluster.await(
                WAIT,
                () -> query(db, "SELECT count(*) = 1 FROM pg_replication_slots WHERE slot_name = 's_" + name + "'"),
                "the slot");
        db.execute("INSERT INTO t VALUES (4, 1, 'new')");
        List<JsonNode> values = SourceWorkload.consumeUntil(connect, name + ".public.t", 4, WAIT);
        assertThat(values).extracting(v -> v.get("op").asText()).containsExactly("r", "r", "r", "c");
        assertThat(values.get(0).get("source").get("snapshot").asText()).isEqualTo("true");
        assertThat(values.get(3).get("source").get("snapshot").asText()).isEqualTo("false");
        assertThat(SourceWorkload.consumeUntil(connect, name + ".heartbeat", 1, WAIT))
                .as("the snapshot's end")
                .isNotEmpty();
        ConnectCluster.delete(connect, name);
    }

    @Test
    void aSnapshotCutOffIsTakenAgainFromANewSlot(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)",
                "INSERT INTO t SELECT g, 0, 'old' FROM generate_series(1, 3) g");
        String name = start(db, "resnap", Map.of("snapshot", "true"));
        String topic = name + ".public.t";
        SourceWorkload.consumeUntil(connect, topic, 3, WAIT);
        connect.stopConnector(name);
        awaitStopped(db, name);
        // What a task stopped between the snapshot's first and last row leaves: an offset of an unfinished snapshot.
        connect.alterSourceConnectorOffset(
                name,
                Offsets.partition(io.pgferry.postgres.connect.Dsn.parse(ConnectCluster.source(db)), "s_" + name),
                Map.of("lsn", 0L, "index", 1L, "snapshot", true));
        db.execute("INSERT INTO t VALUES (4, 1, 'new')");
        connect.resumeConnector(name);
        List<JsonNode> values = SourceWorkload.consumeUntil(connect, topic, 7, WAIT);
        assertThat(values)
                .extracting(v -> v.get("op").asText())
                .as("the first snapshot, then the second, which holds the row added meanwhile")
                .containsExactly("r", "r", "r", "r", "r", "r", "r");
        ConnectCluster.delete(connect, name);
    }

    @Test
    void theJsonRecordFormatWritesWhatJsonConverterWouldThroughByteArrayConverter(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)");
        Map<String, String> json = new HashMap<>();
        json.put("record.format", "json");
        json.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        json.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        String name = start(db, "json", json);
        db.execute(SourceWorkload.transaction(0));
        db.execute("DELETE FROM t WHERE id = 1");
        List<JsonNode> values = SourceWorkload.consumeUntil(connect, name + ".public.t", 7, WAIT);
        assertThat(values).extracting(v -> v.get("op").asText()).containsExactly("c", "c", "c", "c", "c", "u", "d");
        assertThat(values.get(5).get("after").get("v").asText()).isEqualTo("changed");
        assertThat(values.get(6).get("before").get("id").asInt()).isEqualTo(1);
        ConnectCluster.delete(connect, name);
    }

    /**
     * Regression (issue 10's audit): a table with REPLICA IDENTITY FULL and a primary key got null keys (pgoutput flags
     * every column of such a table), unlike from {@code pgferry sync} into Kafka. Its records are keyed by the primary
     * key read from the catalog, in both record formats, with a tombstone after a delete; a FULL table without a
     * primary key keeps null keys.
     */
    @Test
    void aFullIdentityTableWithAPrimaryKeyIsKeyedByIt(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)",
                "ALTER TABLE t REPLICA IDENTITY FULL",
                "CREATE TABLE nk (a int, b text)",
                "ALTER TABLE nk REPLICA IDENTITY FULL");
        for (String format : List.of("struct", "json")) {
            Map<String, String> extra = new HashMap<>();
            extra.put("tables", "public.t, public.nk");
            if (format.equals("json")) {
                extra.put("record.format", "json");
                extra.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
                extra.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
            }
            String name = start(db, "full" + format, extra);
            db.execute(
                    "INSERT INTO t VALUES (7, 0, 'a')",
                    "UPDATE t SET v = 'b' WHERE id = 7",
                    "DELETE FROM t WHERE id = 7",
                    "INSERT INTO nk VALUES (1, 'x')");
            List<ConsumerRecord<byte[], byte[]>> records =
                    SourceWorkload.recordsUntil(connect, name + ".public.t", 3, WAIT);
            assertThat(records).hasSize(3);
            for (ConsumerRecord<byte[], byte[]> r : records) {
                assertThat(r.key()).as(format + " key").isNotNull();
                assertThat(SourceWorkload.JSON.readTree(r.key()).get("id").asInt())
                        .isEqualTo(7);
            }
            assertThat(SourceWorkload.recordsUntil(connect, name + ".public.nk", 1, WAIT))
                    .singleElement()
                    .satisfies(r ->
                            assertThat(r.key()).as("no primary key: no key").isNull());
            ConnectCluster.delete(connect, name);
            db.execute("DELETE FROM nk");
        }
    }

    @Test
    void aStoppedAndResumedConnectorRepeatsNothing(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)");
        String name = start(db, "resume", Map.of());
        for (int i = 0; i < 20; i++) {
            db.execute(SourceWorkload.transaction(i));
        }
        String topic = name + ".public.t";
        SourceWorkload.consumeUntil(connect, topic, 20 * 6, WAIT);
        connect.stopConnector(name);
        awaitStopped(db, name);
        for (int i = 20; i < 30; i++) {
            db.execute(SourceWorkload.transaction(i));
        }
        connect.resumeConnector(name);
        ConnectCluster.await(WAIT, () -> ConnectCluster.taskRunning(connect, name), "the task again");
        List<JsonNode> values = SourceWorkload.consumeUntil(connect, topic, 30 * 6, WAIT);
        assertThat(values)
                .as("each change once: the stored offsets cover what was written")
                .hasSize(30 * 6);
        ConnectCluster.delete(connect, name);
    }

    @Test
    void aSlotAheadOfTheStoredOffsetOrDroppedIsAClearError(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)");
        String name = start(db, "behind", Map.of());
        db.execute(SourceWorkload.transaction(0));
        SourceWorkload.consumeUntil(connect, name + ".public.t", 6, WAIT);
        connect.stopConnector(name);
        awaitStopped(db, name);
        // Another reader consumed the slot past what the connector wrote.
        db.execute(SourceWorkload.transaction(1));
        // The test server commits asynchronously: the slot can be read only up to the flushed WAL.
        String written = db.queryString("SELECT pg_current_wal_insert_lsn()::text");
        ConnectCluster.await(
                WAIT, () -> query(db, "SELECT pg_current_wal_flush_lsn() >= '" + written + "'"), "a flush");
        db.execute("SELECT count(*) FROM pg_logical_slot_get_binary_changes('s_" + name + "', NULL, NULL,"
                + " 'proto_version', '1', 'publication_names', 'p_" + name + "')");
        connect.resumeConnector(name);
        awaitTaskFailed(name, "is behind slot s_" + name);

        connect.stopConnector(name);
        awaitStopped(db, name);
        db.execute("SELECT pg_drop_replication_slot('s_" + name + "')");
        connect.resumeConnector(name);
        // Regression: the fix told to "delete the checkpoint", which a Connect user finds nowhere.
        awaitTaskFailed(name, "does not exist");
        awaitTaskFailed(name, "reset its offsets (DELETE /connectors/" + name + "/offsets)");
        ConnectCluster.delete(connect, name);
    }

    @Test
    void heartbeatsLetTheSlotAdvanceWhileThePublishedTablesAreQuiet(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, tx int NOT NULL, v text)", "CREATE TABLE busy (id int)");
        String name = start(db, "beat", Map.of("heartbeat.interval.ms", "200"));
        db.execute("INSERT INTO busy SELECT generate_series(1, 1000)");
        String written = db.queryString("SELECT pg_current_wal_lsn()::text");
        ConnectCluster.await(
                WAIT,
                () -> {
                    try {
                        return db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 's_" + name
                                        + "' AND confirmed_flush_lsn >= '" + written + "'")
                                == 1;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                "the slot to pass the writes to the unpublished table");
        assertThat(SourceWorkload.consumeUntil(connect, name + ".heartbeat", 1, WAIT))
                .isNotEmpty();
        ConnectCluster.delete(connect, name);
    }

    @Test
    void validationNamesTheKeyOfEachBadValue(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Map<String, String> config = SourceWorkload.connectorConfig(db, "v");
        config.put("slott", "x");
        config.put("tasks.max", "2");
        assertThat(errors(config)).containsKeys("slott", "tasks.max");
        assertThat(errors(config).get("tasks.max")).contains("one reader");

        Map<String, String> badDsn = SourceWorkload.connectorConfig(db, "v");
        badDsn.put("source", "host=127.0.0.1 port=notaport");
        assertThat(errors(badDsn)).containsKey("source");

        Map<String, String> withPassword = SourceWorkload.connectorConfig(db, "v");
        withPassword.put("source", "postgresql://u:secret@127.0.0.1/db");
        assertThat(errors(withPassword).get("source"))
                .contains("source.password")
                .doesNotContain("secret");

        // Issue 10: the passphrase of a client key in the source string was accepted, and Connect shows that string.
        Map<String, String> withSslPassword = SourceWorkload.connectorConfig(db, "v");
        withSslPassword.put("source", "host=127.0.0.1 dbname=db sslkey=/k.pk8 sslpassword=keysecret");
        assertThat(errors(withSslPassword).get("source"))
                .contains("source.sslpassword")
                .doesNotContain("keysecret");

        Map<String, String> noPublication = SourceWorkload.connectorConfig(db, "v");
        noPublication.remove("tables");
        noPublication.put("publication", "missing_pub");
        assertThat(errors(noPublication)).containsKey("publication");

        Map<String, String> jsonWithJsonConverter = SourceWorkload.connectorConfig(db, "v");
        jsonWithJsonConverter.put("record.format", "json");
        assertThat(errors(jsonWithJsonConverter).get("record.format")).contains("ByteArrayConverter");
        // Issue 10's audit: with no converter named, the worker's default would write the bytes as base64 text.
        jsonWithJsonConverter.remove("key.converter");
        jsonWithJsonConverter.remove("value.converter");
        assertThat(errors(jsonWithJsonConverter).get("record.format"))
                .contains("the worker's default key.converter")
                .contains("in the connector's configuration");

        Map<String, String> badSlot = SourceWorkload.connectorConfig(db, "v");
        badSlot.put("slot", "Bad-Slot");
        assertThat(errors(badSlot)).containsKey("slot");

        Map<String, String> good = SourceWorkload.connectorConfig(db, "v");
        good.put("name", "v");
        assertThat(errors(good)).as("a good configuration").isEmpty();
    }

    /** The keys with errors, and their messages, of Connect's validation. */
    private Map<String, String> errors(Map<String, String> config) {
        ConfigInfos infos = connect.validateConnectorConfig(PgferrySourceConnector.class.getSimpleName(), config);
        Map<String, String> out = new HashMap<>();
        for (ConfigInfo i : infos.configs()) {
            if (!i.configValue().errors().isEmpty()) {
                out.put(
                        i.configValue().name(),
                        String.join("; ", i.configValue().errors()));
            }
        }
        return out;
    }
}
