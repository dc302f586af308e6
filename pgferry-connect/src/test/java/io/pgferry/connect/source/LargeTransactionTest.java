package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.TransactionContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source transaction far larger than the stream's memory, through the task as Connect drives it (no worker), on a
 * real server. It is spilled to spill.directory and read back as its records are made, over several polls; with
 * exactly-once it ends a Kafka transaction only at its last record; and a task restarted from an offset in its middle
 * (Connect commits the offsets of records it has sent, whether or not their transaction is complete) writes only the
 * records after that offset, while the slot stays before the transaction. Until these tests, only transactions of a
 * few changes, which fit one poll, ran through a task on a real server. Issue #10.
 */
@PgTest
@Tag("connect")
class LargeTransactionTest {
    private static final int ROWS = 30_000;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aTransactionLargerThanMemoryIsSpilledAndEndsAKafkaTransactionOnlyAtItsLastRecord(
            TestDatabase db, @TempDir Path spill) throws Exception {
        Map<String, String> props = config(db, "spilled", spill);
        List<SourceRecord> endings = new ArrayList<>();
        PgferrySourceTask task = new PgferrySourceTask();
        task.initialize(new TaskContext(props, null, new RecordingTransactions(endings)));
        Set<Integer> ids = new HashSet<>();
        int polls = 0;
        boolean spillFileWhileReading = false;
        SourceRecord last = null;
        try {
            task.start(props);
            startedAndSlotMade(task, db, "s_spilled");
            insertInOneTransaction(db);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (ids.size() < ROWS) {
                assertThat(System.nanoTime()).as("every row of the transaction").isLessThan(deadline);
                List<SourceRecord> polled = task.poll();
                if (polled == null) {
                    continue;
                }
                for (SourceRecord r : polled) {
                    assertThat(ids.add(id(r))).as("each row once").isTrue();
                    task.commitRecord(r, null);
                    last = r;
                }
                polls++;
                if (ids.size() < ROWS) {
                    // The transaction is read from its spill file, which the stream keeps until it is done.
                    spillFileWhileReading |= hasFile(spill);
                    assertThat(endings)
                            .as("no Kafka transaction ends inside the source transaction")
                            .isEmpty();
                }
            }
        } finally {
            task.stop();
        }
        assertThat(polls).as("polls the transaction took").isGreaterThan(1);
        assertThat(spillFileWhileReading).as("the transaction was spilled").isTrue();
        assertThat(endings)
                .as("one Kafka transaction, ended at the last record")
                .containsExactly(last);
        assertThat(last.sourceOffset().get("last")).isEqualTo(true);
        db.execute("SELECT pg_drop_replication_slot('s_spilled')");
    }

    @Test
    void aTaskRestartedFromAnOffsetInsideATransactionWritesOnlyTheRecordsAfterIt(TestDatabase db, @TempDir Path spill)
            throws Exception {
        Map<String, String> props = config(db, "resumed", spill);
        Set<Integer> first = new HashSet<>();
        Map<String, ?> stored;
        PgferrySourceTask task = new PgferrySourceTask();
        task.initialize(TaskContext.firstStart(props));
        try {
            task.start(props);
            startedAndSlotMade(task, db, "s_resumed");
            insertInOneTransaction(db);
            SourceRecord lastCommitted = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (first.size() < ROWS / 3) {
                assertThat(System.nanoTime()).as("a third of the transaction").isLessThan(deadline);
                List<SourceRecord> polled = task.poll();
                for (SourceRecord r : polled == null ? List.<SourceRecord>of() : polled) {
                    first.add(id(r));
                    task.commitRecord(r, null);
                    lastCommitted = r;
                }
            }
            task.commit();
            stored = lastCommitted.sourceOffset();
        } finally {
            task.stop();
        }
        assertThat(stored).doesNotContainKey("last");
        long commitLsn = ((Number) stored.get("lsn")).longValue();
        assertThat(db.queryLong("SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots"
                        + " WHERE slot_name = 's_resumed'"))
                .as("the slot is confirmed no further than before the incomplete transaction")
                .isLessThan(commitLsn);

        @SuppressWarnings("unchecked")
        Map<String, Object> offset = (Map<String, Object>) stored;
        Set<Integer> second = new HashSet<>();
        PgferrySourceTask restarted = new PgferrySourceTask();
        restarted.initialize(new TaskContext(props, offset, null));
        try {
            restarted.start(props);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (first.size() + second.size() < ROWS) {
                assertThat(System.nanoTime()).as("the rest of the transaction").isLessThan(deadline);
                List<SourceRecord> polled = restarted.poll();
                for (SourceRecord r : polled == null ? List.<SourceRecord>of() : polled) {
                    int id = id(r);
                    assertThat(first).as("written before the restart").doesNotContain(id);
                    assertThat(second.add(id)).as("each row once").isTrue();
                    restarted.commitRecord(r, null);
                }
                restarted.commit();
            }
        } finally {
            restarted.stop();
        }
        assertThat(second).hasSize(ROWS - first.size());
        db.execute("SELECT pg_drop_replication_slot('s_resumed')");
    }

    private static Map<String, String> config(TestDatabase db, String name, Path spill) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        Map<String, String> props = SourceWorkload.connectorConfig(db, name);
        props.put("memory.limit.mb", "1");
        props.put("spill.directory", spill.toString());
        props.put("max.batch.size", "2000");
        props.put("poll.wait.ms", "50");
        return props;
    }

    /** Polls until the task has started, then waits for its slot to be ready: changes made before are not streamed. */
    private static void startedAndSlotMade(PgferrySourceTask task, TestDatabase db, String slot) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!db.slotReady(slot)) {
            assertThat(System.nanoTime()).as("slot " + slot).isLessThan(deadline);
            assertThat(task.poll()).as("records before any change").isNull();
        }
    }

    /** One transaction of ROWS inserts, about 4 MB of changes: four times the stream's memory. */
    private static void insertInOneTransaction(TestDatabase db) throws Exception {
        db.execute("INSERT INTO t SELECT i, repeat(md5(i::text), 3) FROM generate_series(1, " + ROWS + ") i");
    }

    private static int id(SourceRecord r) {
        assertThat(r.topic()).endsWith(".public.t");
        return ((Struct) r.value()).getStruct("after").getInt32("id");
    }

    private static boolean hasFile(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isPresent();
        }
    }

    /** Connect's transaction context for connector-defined boundaries, keeping the records that end a transaction. */
    private record RecordingTransactions(List<SourceRecord> endings) implements TransactionContext {
        @Override
        public void commitTransaction() {
            throw new AssertionError("the task ends Kafka transactions at a record");
        }

        @Override
        public void commitTransaction(SourceRecord record) {
            endings.add(record);
        }

        @Override
        public void abortTransaction() {
            throw new AssertionError("nothing to abort");
        }

        @Override
        public void abortTransaction(SourceRecord record) {
            throw new AssertionError("nothing to abort");
        }
    }
}
