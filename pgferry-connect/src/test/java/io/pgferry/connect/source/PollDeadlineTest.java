package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * poll() returns once poll.wait.ms has passed and it has records, also in the middle of a snapshot: a snapshot's
 * rows are read from the source as they are made into records, and poll() kept reading them until it held a whole
 * batch (max.batch.size), however slow the source. Here one batch could hold the whole snapshot and poll.wait.ms is
 * 1 ms, far less than reading 20,000 rows takes: the snapshot must arrive over several polls, every row once.
 * Issue #10.
 */
@PgTest
@Tag("connect")
class PollDeadlineTest {
    private static final int ROWS = 20_000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aSnapshotArrivesOverSeveralPollsWhenEachOneIsShort(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, " + ROWS + ") i");
        Map<String, String> props = SourceWorkload.connectorConfig(db, "deadline");
        props.put("snapshot", "true");
        props.put("poll.wait.ms", "1");
        props.put("max.batch.size", String.valueOf(10 * ROWS));
        PgferrySourceTask task = new PgferrySourceTask();
        task.initialize(TaskContext.firstStart(props));
        Set<Integer> ids = new TreeSet<>();
        List<Integer> pollSizes = new ArrayList<>();
        try {
            task.start(props);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (ids.size() < ROWS) {
                assertThat(System.nanoTime()).as("every snapshot row").isLessThan(deadline);
                List<SourceRecord> polled = task.poll();
                if (polled == null) {
                    // As Connect commits offsets on a timer, whether or not a poll returned records: the snapshot's
                    // slot is made once the mark's offset is stored.
                    task.commit();
                    continue;
                }
                int rows = 0;
                for (SourceRecord r : polled) {
                    task.commitRecord(r, null);
                    if (r.topic().equals("deadline.public.t")) {
                        assertThat(ids.add(
                                        ((Struct) r.value()).getStruct("after").getInt32("id")))
                                .as("each row once")
                                .isTrue();
                        rows++;
                    }
                }
                task.commit();
                if (rows > 0) {
                    pollSizes.add(rows);
                }
            }
        } finally {
            task.stop();
        }
        assertThat(ids).hasSize(ROWS);
        assertThat(pollSizes).as("rows of the snapshot in each poll").hasSizeGreaterThan(1);
        db.execute("SELECT pg_drop_replication_slot('s_deadline')");
    }
}
