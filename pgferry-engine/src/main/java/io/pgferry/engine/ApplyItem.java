package io.pgferry.engine;

import io.pgferry.core.event.Transaction;
import java.util.concurrent.CountDownLatch;

/** What the stream hands the {@link ApplyHandler}'s applier: a transaction, a wait for everything before, or a signal. */
sealed interface ApplyItem permits ApplyItem.Deliver, ApplyItem.Drain, ApplyItem.Signal {
    /** A transaction to apply, retained by the stream's thread and released by the applier. */
    record Deliver(Transaction tx) implements ApplyItem {}

    /** Counted down once everything queued before it is applied, or dropped after a failure. */
    final class Drain implements ApplyItem {
        final CountDownLatch done = new CountDownLatch(1);
    }

    enum Signal implements ApplyItem {
        /** The stream has nothing more waiting: commit unless more is queued. */
        IDLE,
        /** Apply what is queued, commit, and end. */
        STOP
    }
}
