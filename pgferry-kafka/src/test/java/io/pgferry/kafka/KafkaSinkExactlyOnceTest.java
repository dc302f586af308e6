package io.pgferry.kafka;

import static io.pgferry.kafka.TestBroker.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.kafka.event.TableFacts;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once delivery: each source transaction a Kafka transaction with the position inside it; an aborted one is
 * invisible to {@code read_committed} consumers; a new sink resumes from the last committed position and fences the
 * old one.
 */
@PgTest
@Tag("kafka")
class KafkaSinkExactlyOnceTest {

    private static List<Captured> threeInserts(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        return Captured.capture(
                db,
                List.of("public.t"),
                3,
                "INSERT INTO t VALUES (1)",
                "INSERT INTO t VALUES (2)",
                "INSERT INTO t VALUES (3)");
    }

    private static List<Integer> ids(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> json(r.value()).get("after").get("id").asInt())
                .toList();
    }

    @Test
    void aRolledBackTransactionIsInvisibleToReadCommittedConsumers(TestDatabase db) throws Exception {
        List<Captured> txs = threeInserts(db);
        String prefix = TestBroker.freshPrefix();
        try (KafkaSink sink = KafkaSink.open(TestBroker.target(prefix).build(), () -> "fp")) {
            assertThat(sink.storesPosition()).isTrue();
            assertThat(sink.transactionPerBatch()).isFalse();
            sink.begin();
            txs.get(0).applyTo(sink);
            // Rolled back once it is on the broker: the producer would drop a record not yet sent.
            TestBroker.await(prefix + ".public.t", 1, "read_uncommitted");
            sink.rollback();
            sink.begin();
            txs.get(1).applyTo(sink);
            sink.commit(txs.get(1).endLsn(), txs.get(1).commitTime());
            assertThat(sink.durablePosition()).isEqualTo(txs.get(1).endLsn());
        }
        String topic = prefix + ".public.t";
        assertThat(ids(TestBroker.await(topic, 1))).containsExactly(2);
        assertThat(ids(TestBroker.readAll(topic, "read_uncommitted")))
                .as("the aborted record was sent, and only read_uncommitted sees it")
                .containsExactly(1, 2);
        List<ConsumerRecord<byte[], byte[]>> offsets = TestBroker.committed(prefix + ".pgferry_offsets");
        assertThat(offsets).hasSize(1);
        JsonNode position = json(offsets.get(0).value());
        assertThat(new String(offsets.get(0).key(), StandardCharsets.UTF_8)).isEqualTo(prefix);
        assertThat(position.get("lsn").asText()).isEqualTo(txs.get(1).endLsn().toString());
        assertThat(position.get("fingerprint").asText()).isEqualTo("fp");
        assertThat(position.get("sync").asText()).isEqualTo(prefix);
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, prefix + ".pgferry_offsets");
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    @Test
    void aNewSinkResumesFromTheLastCommittedPosition(TestDatabase db) throws Exception {
        List<Captured> txs = threeInserts(db);
        String prefix = TestBroker.freshPrefix();
        KafkaTarget target = TestBroker.target(prefix).build();
        try (KafkaSink sink = KafkaSink.open(target, () -> "fp")) {
            assertThat(sink.position()).isEmpty();
            assertThat(sink.durablePosition()).isEqualTo(Lsn.INVALID);
            Captured.commitEach(sink, txs.subList(0, 2));
            assertThat(sink.durablePosition()).isEqualTo(txs.get(1).endLsn());
            // The third is left open: the sink dies before committing it.
            sink.begin();
            txs.get(2).applyTo(sink);
        }
        try (KafkaSink sink = KafkaSink.open(target, () -> "fp")) {
            assertThat(sink.position()).contains(txs.get(1).endLsn());
            assertThat(sink.durablePosition()).isEqualTo(txs.get(1).endLsn());
        }
        KafkaTarget otherSync =
                TestBroker.target(prefix).syncName(prefix + "-other").build();
        try (KafkaSink sink = KafkaSink.open(otherSync, () -> "fp")) {
            assertThat(sink.position()).as("positions are per sync").isEmpty();
        }
        assertThat(ids(TestBroker.committed(prefix + ".public.t"))).containsExactly(1, 2);
    }

    /**
     * An idle advance (a position stored without a commit time) does not erase the commit time of the last transaction
     * delivered: {@code pgferry status} kept reporting no source commit time after one (found flaky on PostgreSQL 14,
     * where the advance came after the last batch).
     */
    @Test
    void anIdleAdvanceKeepsTheLastCommitTime(TestDatabase db) throws Exception {
        List<Captured> txs = threeInserts(db);
        String prefix = TestBroker.freshPrefix();
        KafkaTarget target = TestBroker.target(prefix).build();
        try (KafkaSink sink = KafkaSink.open(target, () -> "fp")) {
            Captured.commitEach(sink, txs);
        }
        Lsn beyond = Lsn.of(txs.get(2).endLsn().value() + 1000);
        try (KafkaPositions positions = new KafkaPositions(target)) {
            positions.save(new Checkpoint(beyond, "fp"));
        }
        assertThat(KafkaPositions.readAll(target, true)).singleElement().satisfies(p -> {
            assertThat(p.lsn()).contains(beyond);
            assertThat(p.copyUnfinished()).isFalse();
            assertThat(p.sourceCommitTime()).isEqualTo(txs.get(2).commitTime());
        });
    }

    @Test
    void aZombieProducerWithTheSameTransactionalIdIsFenced(TestDatabase db) throws Exception {
        List<Captured> txs = threeInserts(db);
        String prefix = TestBroker.freshPrefix();
        KafkaTarget target = TestBroker.target(prefix).build();
        try (KafkaSink zombie = KafkaSink.open(target, () -> "fp")) {
            zombie.begin();
            txs.get(0).applyTo(zombie);
            try (KafkaSink successor = KafkaSink.open(target, () -> "fp")) {
                assertThatThrownBy(() ->
                                zombie.commit(txs.get(0).endLsn(), txs.get(0).commitTime()))
                        .isInstanceOfSatisfying(PgFerryException.class, e -> {
                            assertThat(e.isRetriable()).as(e.toString()).isFalse();
                            assertThat(e.fix())
                                    .contains("another producer took over transactional id pgferry-" + prefix);
                        });
                zombie.rollback();
                assertThat(zombie.durablePosition()).isEqualTo(Lsn.INVALID);
                assertThat(successor.position()).isEmpty();
                Captured.commitEach(successor, txs.subList(1, 2));
                assertThat(successor.position()).contains(txs.get(1).endLsn());
            }
        }
        assertThat(ids(TestBroker.committed(prefix + ".public.t"))).containsExactly(2);
    }

    @Test
    void copyWorkersCommitCopiedRowsWithoutAPositionAndWithoutFencingEachOther(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
        List<Captured> txs =
                Captured.capture(db, List.of("public.t"), 2, c -> c.snapshot(true), "INSERT INTO t VALUES (3)");
        Captured snapshot = txs.get(0);
        assertThat(snapshot.changes()).hasSize(2);
        String prefix = TestBroker.freshPrefix();
        KafkaTarget target = TestBroker.target(prefix).build();
        try (KafkaSink first = KafkaSink.openCopyWorker(target, 0, r -> TableFacts.NONE);
                KafkaSink second = KafkaSink.openCopyWorker(target, 1, r -> TableFacts.NONE)) {
            first.begin();
            second.begin();
            first.apply(snapshot.changes().get(0));
            second.apply(snapshot.changes().get(1));
            second.commitCopy();
            first.commitCopy();
            first.begin();
            assertThatThrownBy(() -> first.commit(snapshot.endLsn(), null)).isInstanceOf(IllegalStateException.class);
        }
        String topic = prefix + ".public.t";
        List<ConsumerRecord<byte[], byte[]>> copied = TestBroker.await(topic, 2);
        assertThat(copied).extracting(r -> json(r.value()).get("op").asText()).containsOnly("r");
        JsonNode source = json(copied.get(0).value()).get("source");
        assertThat(source.get("snapshot").asText()).isEqualTo("true");
        assertThat(source.get("txId").isNull()).isTrue();
        assertThat(TestBroker.committed(prefix + ".pgferry_offsets")).isEmpty();

        try (KafkaSink sink = KafkaSink.open(target, () -> "fp")) {
            Captured.commitEach(sink, txs.subList(1, 2));
        }
        assertThat(ids(TestBroker.await(topic, 3))).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(TestBroker.committed(prefix + ".pgferry_offsets")).hasSize(1);
    }
}
