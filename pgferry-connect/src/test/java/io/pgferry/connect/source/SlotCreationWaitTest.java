package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A new slot is created only once every transaction open on the source has ended, which may take as long as a user's
 * session keeps one open; with a snapshot, poll() created it on the task's thread, so Connect saw a task that neither
 * polled nor stopped. Now poll() returns within poll.wait.ms while the slot waits, and streams once it exists.
 * Issue #10.
 */
@PgTest
@Tag("connect")
class SlotCreationWaitTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    // Before the fix the poll() after the mark never returned here (it waited on the transaction this thread holds).
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void pollReturnsWhileTheSnapshotsSlotWaitsForAnOpenTransaction(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (0, 'before')");
        Map<String, String> props = SourceWorkload.connectorConfig(db, "slow");
        props.put("poll.wait.ms", "100");
        props.put("snapshot", "true");
        PgferrySourceTask task = new PgferrySourceTask();
        task.initialize(TaskContext.firstStart(props));
        List<SourceRecord> got = new ArrayList<>();
        try {
            try (Connection open = db.connect();
                    Statement st = open.createStatement()) {
                open.setAutoCommit(false);
                st.execute("INSERT INTO t VALUES (1, 'open')"); // holds a transaction id until it ends
                long before = System.nanoTime();
                task.start(props);
                // The snapshot's slot is created once Connect has stored the mark, as Connect does it: the record
                // committed, then two offset commits (the first stores what was committed before it).
                SourceRecord mark = task.poll().get(0);
                task.commitRecord(mark, null);
                task.commit();
                task.commit();
                assertThat(task.poll()).isNull();
                awaitTrue(
                        db,
                        "SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'walsender'"
                                + " AND wait_event_type = 'Lock'");
                for (int i = 0; i < 3; i++) {
                    assertThat(task.poll()).isNull();
                }
                // The walsender has waited on the open transaction through these polls.
                assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(WAIT);
                open.commit();
            }
            awaitRecord(task, got, "before");
            db.execute("INSERT INTO t VALUES (2, 'after')");
            awaitRecord(task, got, "after");
        } finally {
            task.stop();
        }
        awaitTrue(db, "SELECT NOT active FROM pg_replication_slots WHERE slot_name = 's_slow'");
        db.execute("SELECT pg_drop_replication_slot('s_slow')");
    }

    private static void awaitRecord(PgferrySourceTask task, List<SourceRecord> got, String value) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got.stream().noneMatch(r -> String.valueOf(r.value()).contains(value))) {
            assertThat(System.nanoTime()).as("a record with " + value).isLessThan(deadline);
            List<SourceRecord> polled = task.poll();
            if (polled != null) {
                got.addAll(polled);
            }
        }
    }

    private static void awaitTrue(TestDatabase db, String sql) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!"t".equals(db.queryString(sql))) {
            assertThat(System.nanoTime()).as(sql).isLessThan(deadline);
            Thread.sleep(10); // polling interval of a deadline loop, not a synchronisation by time
        }
    }
}
