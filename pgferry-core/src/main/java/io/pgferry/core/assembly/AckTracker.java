package io.pgferry.core.assembly;

import io.pgferry.core.Lsn;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The highest position the handler has acknowledged. Acknowledgements may arrive from any thread and in any order;
 * the position only moves forward (acknowledging a transaction covers all delivered before it).
 */
public final class AckTracker {
    private final AtomicLong acked;

    public AckTracker(Lsn start) {
        this.acked = new AtomicLong(start.value());
    }

    public void ack(Lsn lsn) {
        long v = lsn.value();
        acked.accumulateAndGet(v, (cur, x) -> Long.compareUnsigned(x, cur) > 0 ? x : cur);
    }

    public Lsn acked() {
        return Lsn.of(acked.get());
    }
}
