package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.value.BuiltinTypes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Regression test for issue 10's audit: the changes waiting between the stream and {@code poll()} were bounded by a
 * count (50,000) alone, so wide rows could fill the heap whatever {@code memory.limit.mb} said. They are bounded by
 * an estimate of their bytes too.
 */
class HandoffTest {
    private static final Relation T = new Relation(
            1,
            "public",
            "t",
            ReplicaIdentity.DEFAULT,
            List.of(new Column("id", BuiltinTypes.INT4, -1, true), new Column("v", BuiltinTypes.TEXT, -1, false)));

    /** A transaction of one insert whose text column holds {@code size} bytes. */
    private static Transaction wide(int size) {
        byte[] id = "1".getBytes(StandardCharsets.US_ASCII);
        byte[] buffer = new byte[id.length + size];
        System.arraycopy(id, 0, buffer, 0, id.length);
        TupleData data =
                new TupleData(buffer, new byte[] {TupleData.TEXT, TupleData.TEXT}, new int[] {0, id.length}, new int[] {
                    id.length, size
                });
        ChangeEvent insert = new ChangeEvent.Insert(Lsn.of(1), T, new Row(T, data, BuiltinTypes.builtin(), false));
        return new Transaction(
                1,
                Lsn.of(1),
                Lsn.of(2),
                null,
                null,
                Transaction.Kind.COMMITTED,
                List.of(insert).iterator(),
                l -> {});
    }

    @Test
    void wideChangesWaitForPollOnceTheirBytesPassTheLimit() throws Exception {
        Handoff handoff = new Handoff(50_000, 3_000_000, null);
        assertThat(handoff.put(wide(1_000_000), () -> false)).isTrue();
        AtomicBoolean second = new AtomicBoolean();
        Thread producer = new Thread(() -> {
            try {
                second.set(handoff.put(wide(1_000_000), () -> false));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.start();
        // About 2 MB each with their records: the second waits until poll() takes the first.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (producer.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(producer.getState()).as("the second put waits").isEqualTo(Thread.State.TIMED_WAITING);
        assertThat(second).isFalse();
        assertThat(handoff.poll(TimeUnit.SECONDS.toNanos(1))).isNotNull();
        producer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(second).as("queued once the first was taken").isTrue();
        assertThat(handoff.poll(TimeUnit.SECONDS.toNanos(1))).isNotNull();
    }

    @Test
    void oneChangeLargerThanTheLimitStillGoesThroughAlone() throws Exception {
        Handoff handoff = new Handoff(50_000, 1_000, null);
        assertThat(handoff.put(wide(100_000), () -> false)).isTrue();
        assertThat(Handoff.estimate(List.of(wide(100_000).iterator().next()))).isGreaterThan(200_000);
    }
}
