package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.engine.config.DdlMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.kafka.KafkaPositions;
import io.pgferry.kafka.KafkaTableStates;
import io.pgferry.kafka.KafkaTarget;
import io.pgferry.postgres.SystemIdentifier;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.KafkaBroker;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A sync into a real KRaft broker (issue 7): the copy as read records, then every kind of change, each run resuming
 * from the position committed in Kafka with the records, so that nothing is sent twice.
 */
@PgTest
@Tag("stream")
@Tag("kafka")
class KafkaSyncTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static String prefix() {
        byte[] b = new byte[5];
        new SecureRandom().nextBytes(b);
        return "s" + HexFormat.of().formatHex(b);
    }

    static KafkaTarget target(String prefix) {
        return KafkaTarget.parseUri("kafka://" + KafkaBroker.shared().bootstrapServers() + "?topic.prefix=" + prefix)
                .syncName("pgferry_sync")
                .sourceDatabase("src")
                .build();
    }

    static SyncConfig.Builder config(TestDatabase source, String prefix) {
        return SyncConfig.builder()
                .source(source.uri())
                .target(target(prefix))
                .workers(2)
                .untilCaughtUp(true);
    }

    /** op, key id, and after.v (or "-" for none) of each committed record; "tombstone" for a null value. */
    static List<String> records(String topic) throws IOException {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaBroker.shared().records(topic, "read_committed")) {
            JsonNode key = r.key() == null ? null : JSON.readTree(r.key());
            String id = key == null ? "null" : key.path("id").asText();
            if (r.value() == null) {
                out.add("tombstone " + id);
                continue;
            }
            JsonNode v = JSON.readTree(r.value());
            JsonNode after = v.path("after");
            out.add(v.path("op").asText() + " " + id + " "
                    + (after.isNull() ? "-" : after.path("v").asText()));
        }
        return out;
    }

    /**
     * Issue 7: the seam between copy and stream into Kafka, with writes going on during the copy. Read back in order,
     * the records create each row once, update and delete only rows they created, and leave exactly the source's
     * rows: nothing lost or sent twice at the seam.
     */
    @Test
    void writesDuringTheCopyArriveOnceAfterIt(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 20000) i");
        String prefix = prefix();
        ExecutorService runner = Executors.newFixedThreadPool(2);
        try {
            Future<SyncEngine.Result> run =
                    runner.submit(() -> new SyncEngine(config(source, prefix).build()).run());
            Future<?> writer = runner.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    source.execute(
                            "INSERT INTO t VALUES (" + (30000 + i) + ", 'during')",
                            "UPDATE t SET v = v || '+' WHERE id = " + (i * 50 + 1),
                            "DELETE FROM t WHERE id = " + (i * 50 + 2));
                }
                return null;
            });
            writer.get(120, TimeUnit.SECONDS);
            run.get(120, TimeUnit.SECONDS);
        } finally {
            runner.shutdownNow();
        }
        // What the first run had not caught up with when it stopped.
        new SyncEngine(config(source, prefix).build()).run();
        Map<String, String> replayed = new TreeMap<>();
        for (String r : records(prefix + ".public.t")) {
            String[] f = r.split(" ", 3);
            switch (f[0]) {
                case "r", "c" -> assertThat(replayed.put(f[1], f[2]))
                        .as("created once: " + r)
                        .isNull();
                case "u" -> assertThat(replayed.put(f[1], f[2]))
                        .as("updates a row: " + r)
                        .isNotNull();
                case "d" -> assertThat(replayed.remove(f[1]))
                        .as("deletes a row: " + r)
                        .isNotNull();
                default -> assertThat(f[0]).isEqualTo("tombstone");
            }
        }
        Map<String, String> expected = new TreeMap<>();
        for (String row : Databases.query(source, "SELECT id, v FROM t")) {
            String[] f = row.split("\\|", 2);
            expected.put(f[0], f[1]);
        }
        assertThat(replayed).isEqualTo(expected);
    }

    /**
     * Also issue #7: a table with REPLICA IDENTITY FULL and a primary key got null keys and no tombstones (pgoutput
     * flags every column of such a table); it gets its primary key as key.
     */
    @Test
    void copiesThenStreamsEachRunResumingWhereTheLastCommitted(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 500) i",
                "CREATE TABLE f (id int PRIMARY KEY, v text)",
                "ALTER TABLE f REPLICA IDENTITY FULL",
                "INSERT INTO f VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        String prefix = prefix();
        String topic = prefix + ".public.t";
        new SyncEngine(config(source, prefix).build()).run();
        List<String> copied = records(topic);
        assertThat(copied).hasSize(500).allMatch(s -> s.startsWith("r "));
        String full = prefix + ".public.f";
        assertThat(records(full)).containsExactlyInAnyOrder("r 1 a", "r 2 b", "r 3 c");

        source.execute(
                "INSERT INTO t VALUES (1001, 'new')",
                "UPDATE t SET v = 'changed' WHERE id = 7",
                "DELETE FROM t WHERE id = 8",
                "UPDATE t SET id = 2000 WHERE id = 9",
                "UPDATE f SET v = 'x' WHERE id = 2",
                "DELETE FROM f WHERE id = 3",
                // Issue 5: a table created since the sync began, which its publication does not publish, stopped
                // the restart; then it was left out. It is added, its row sent as a read record (issue 7).
                "CREATE TABLE later (id int PRIMARY KEY)",
                "INSERT INTO later VALUES (1)");
        SyncEngine.Result second = new SyncEngine(config(source, prefix).build()).run();
        List<String> all = records(topic);
        assertThat(all.subList(500, all.size()))
                .containsExactly(
                        "c 1001 new", "u 7 changed", "d 8 -", "tombstone 8", "d 9 -", "tombstone 9", "c 2000 v9");
        List<String> fullRecords = records(full);
        assertThat(fullRecords.subList(3, fullRecords.size())).containsExactly("u 2 x", "d 3 -", "tombstone 3");

        // pgferry status reads the position from the offsets topic, with the source's lag and slot.
        assertThat(SyncStatus.read(target(prefix), Dsn.parse(source.uri()), true))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.sync()).isEqualTo("pgferry_sync");
                    assertThat(r.position()).contains(second.position());
                    assertThat(r.sourceCommitTime()).isNotNull();
                    assertThat(r.updatedAt()).isNotNull();
                    assertThat(r.lagBytes()).isNotNull().isNotNegative();
                    assertThat(r.slot().exists()).isTrue();
                    // Issue 7: the table states a SQL target keeps, kept in the table-state topic.
                    assertThat(r.tables())
                            .extracting(st -> st.sourceTable() + " " + st.target() + " "
                                    + st.state().label() + " " + st.rowsCopied())
                            .containsExactly(
                                    "public.f " + full + " streaming 3",
                                    "public.later " + prefix + ".public.later streaming 1",
                                    "public.t " + topic + " streaming 500");
                });
        assertThat(SyncStatus.read(target(prefix), null, false))
                .extracting(SyncStatus.Report::sync)
                .containsExactly("pgferry_sync");
        assertThatThrownBy(() -> SyncStatus.read(target(prefix() + "x"), null, false))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("holds no sync position");

        // Nothing new at the source: a third run sends nothing again.
        new SyncEngine(config(source, prefix).build()).run();
        assertThat(records(topic)).hasSize(all.size());
    }

    /**
     * {@code pgferry sync --drop} with a Kafka target: the slot goes, the sync's position and table states leave the
     * offsets and table-state topics (tombstones, which reading honours), the table topics keep their records, and a
     * sync started again under the same name copies afresh.
     */
    @Test
    void aRemovedSyncLeavesNoPositionNorStatesAndStartsOverIfRunAgain(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 30) i");
        String prefix = prefix();
        String topic = prefix + ".public.t";
        new SyncEngine(config(source, prefix).build()).run();
        assertThat(KafkaPositions.readAll(target(prefix), true)).hasSize(1);
        assertThat(KafkaTableStates.readAll(target(prefix), "pgferry_sync")).containsKey("pgferry_sync");

        SyncTeardown.Result r = SyncTeardown.drop(Dsn.parse(source.uri()), "pgferry_sync", target(prefix));

        assertThat(r.slotDropped()).isTrue();
        assertThat(r.recordsRemoved()).isTrue();
        assertThat(r.publicationDropped())
                .as("made by the sync, no other slot left")
                .isTrue();
        assertThat(KafkaPositions.readAll(target(prefix), true)).isEmpty();
        assertThat(KafkaPositions.readAll(target(prefix), false)).isEmpty();
        assertThat(KafkaTableStates.readAll(target(prefix), null)).isEmpty();
        assertThat(records(topic)).hasSize(30);

        new SyncEngine(config(source, prefix).build()).run();
        assertThat(records(topic)).hasSize(60).allMatch(s -> s.startsWith("r "));
        assertThat(KafkaPositions.readAll(target(prefix), true)).hasSize(1);
    }

    /**
     * A position an earlier release stored, under an identity that covered the sync's tables, is carried over to
     * this release's identity; one stored for another configuration is still refused.
     */
    @Test
    void aPositionStoredUnderTheEarlierIdentityIsCarriedOver(TestDatabase source) throws Exception {
        source.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
        String prefix = prefix();
        SyncEngine.Result first = new SyncEngine(config(source, prefix).build()).run();
        SyncConfig c = SyncPublication.resolve(config(source, prefix).build());
        String system = SystemIdentifier.of(c.source());
        try (KafkaPositions positions = new KafkaPositions(target(prefix))) {
            String earlier = ForeignSync.streamBuilder(
                            c, List.of(new TableName("public", "t")), List.of(), positions, null, true)
                    .build()
                    .fingerprint(system);
            positions.restamp(new Checkpoint(first.position(), earlier));
        }
        source.execute("UPDATE t SET v = 'b'");
        new SyncEngine(config(source, prefix).build()).run();
        assertThat(records(prefix + ".public.t")).containsExactly("r 1 a", "u 1 b");

        try (KafkaPositions positions = new KafkaPositions(target(prefix))) {
            positions.restamp(new Checkpoint(positions.load().orElseThrow().lsn(), "another"));
        }
        assertThatThrownBy(() -> new SyncEngine(config(source, prefix).build()).run())
                .hasMessageContaining("was written for another source, slot, publication or table list");
    }

    /**
     * Issue #7: an initial copy into Kafka that did not finish used to leave a slot that had to be dropped by hand.
     * Now it is started over on the next run, as for a PostgreSQL target; a slot of that name that no copy of the
     * sync began is still refused and left alone.
     */
    @Test
    void aCopyThatDidNotFinishIsStartedOverAndASlotItDidNotCreateIsRefused(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 100) i");
        String prefix = prefix();
        String slot = "interrupted_" + prefix;
        // What a copy killed half-way leaves: the marker it wrote before creating its slot, the slot, no position.
        try (KafkaPositions positions = new KafkaPositions(target(prefix))) {
            assertThat(positions.load()).isEmpty();
            positions.copyStarted();
        }
        source.execute("SELECT pg_catalog.pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        try (KafkaPositions positions = new KafkaPositions(target(prefix))) {
            assertThat(positions.load()).isEmpty();
            assertThat(positions.copyUnfinished()).isTrue();
        }
        assertThatThrownBy(() -> SyncStatus.read(target(prefix), null, true))
                .hasMessageContaining("initial copy of sync pgferry_sync")
                .hasMessageContaining("has begun and stored no position yet");
        // Regression, issue #7: the status of every sync under the prefix left out (or, as here with no other sync,
        // refused with "holds no sync position") a sync whose copy had begun and stored no position.
        assertThat(SyncStatus.read(target(prefix), null, false)).singleElement().satisfies(r -> {
            assertThat(r.sync()).isEqualTo("pgferry_sync");
            assertThat(r.position()).isEmpty();
        });

        SyncEngine.Result copied =
                new SyncEngine(config(source, prefix).slot(slot).build()).run();
        assertThat(copied.copied()).isTrue();
        assertThat(records(prefix + ".public.t")).hasSize(100).allMatch(r -> r.startsWith("r "));
        try (KafkaPositions positions = new KafkaPositions(target(prefix))) {
            assertThat(positions.load()).isPresent();
            assertThat(positions.copyUnfinished()).isFalse();
        }

        // A slot the sync's copy did not create: no marker in this prefix's offsets topic.
        String other = prefix();
        String foreign = "foreign_" + other;
        source.execute("SELECT pg_catalog.pg_create_logical_replication_slot('" + foreign + "', 'pgoutput')");
        assertThatThrownBy(
                        () -> new SyncEngine(config(source, other).slot(foreign).build()).run())
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("slot " + foreign + " already exists")
                .hasMessageContaining("may belong to something else");
        assertThat(source.queryLong(
                        "SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name = '" + foreign + "'"))
                .isEqualTo(1);
        source.execute("SELECT pg_catalog.pg_drop_replication_slot('" + foreign + "')");
    }

    /**
     * Issue 7: a Kafka target kept no table states, so a status could not name the table that stopped a sync. A
     * column added at the source with DDL mode stop now puts that table in state error, with the reason, and leaves
     * the other table's state alone.
     */
    @Test
    void aTableThatStopsTheSyncIsInStateErrorWithTheReason(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE a (id int PRIMARY KEY, v text)",
                "CREATE TABLE b (id int PRIMARY KEY)",
                "INSERT INTO a VALUES (1, 'x')",
                "INSERT INTO b VALUES (1)");
        String prefix = prefix();
        SyncEngine engine = new SyncEngine(
                config(source, prefix).untilCaughtUp(false).ddl(DdlMode.STOP).build());
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<SyncEngine.Result> run = thread.submit(engine::run);
            // Streaming once the tables are recorded so: the change below is then met while streaming. Waiting for
            // a row inserted now was not enough: the copy may read it, and the stream start after the test's change.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!streaming(prefix) && System.nanoTime() < deadline) {
                Thread.sleep(100); // polling interval of the wait, not a synchronisation
            }
            source.execute("ALTER TABLE a ADD COLUMN extra int", "INSERT INTO a VALUES (2, 'y', 3)");
            assertThatThrownBy(() -> run.get(60, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(PgFerryException.class)
                    .hasMessageContaining("column extra was added");
        } finally {
            engine.stop();
            thread.shutdownNow();
        }
        assertThat(SyncStatus.read(target(prefix), null, true)).singleElement().satisfies(r -> assertThat(r.tables())
                .extracting(st -> st.sourceTable() + " " + st.state().label() + " " + st.error())
                .containsExactly(
                        "public.a error column extra was added to source table public.a while streaming",
                        "public.b streaming null"));
    }

    /** Whether every table of the sync is recorded streaming; false while nothing is recorded. */
    private static boolean streaming(String prefix) {
        try {
            List<SyncStatus.Report> reports = SyncStatus.read(target(prefix), null, true);
            return reports.size() == 1
                    && !reports.get(0).tables().isEmpty()
                    && reports.get(0).tables().stream()
                            .allMatch(t -> t.state().label().equals("streaming"));
        } catch (PgFerryException e) {
            return false;
        }
    }

    /** Waits until {@code topic} holds at least {@code n} committed records. */
    static void awaitRecords(String topic, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (KafkaBroker.shared().records(topic, "read_committed").size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " records in " + topic + " after 60 s");
            }
            Thread.sleep(100); // polling interval of the wait, not a synchronisation
        }
    }
}
