package io.pgferry.core.event;

/**
 * Receives committed transactions, one at a time, in commit order.
 *
 * <p><b>Threading.</b> Both methods are called on the stream's single thread, never concurrently. While a method
 * runs, the stream reads nothing from the server, so a handler that blocks for longer than the server's
 * {@code wal_sender_timeout} (60 s by default) gets the connection closed; hand slow work to another thread and
 * {@link Transaction#ack() acknowledge} from there.
 *
 * <p><b>Ownership.</b> A transaction's changes can be read only until {@link #onTransaction} returns: then the
 * stream reuses the memory they were read from, and reading them throws {@link IllegalStateException}. To read them
 * later, on another thread, call {@link Transaction#retain()} before returning and {@link Transaction#release()} when
 * done; while retained transactions hold as much as the stream's memory limit, the stream waits for releases before
 * delivering more (see {@link Transaction}, "Lifetime" and "Backpressure").
 *
 * <p><b>Durability contract.</b> Call {@link Transaction#ack()} only once what the transaction covers is durable at
 * the destination. The stream never confirms to the server a position that has not been acknowledged, so after a
 * crash every unacknowledged transaction is delivered again, and no acknowledged one is.
 *
 * <p><b>Failures.</b> What {@link #onTransaction}, {@link #onIdle} or {@link PreparingHandler#prepare} throws is a
 * handler failure, never taken for a lost connection:
 *
 * <ul>
 *   <li>A retriable {@link io.pgferry.core.PgFerryException} ({@code PgFerryException.retriable}: the destination
 *       is briefly unreachable, say) is retried. The stream drops what it received since the last acknowledged
 *       transaction, waits (250 ms, doubling up to 30 s), reconnects and delivers again every transaction after the
 *       last acknowledged one, the failed one among them. A handler that throws it must be ready for that: what
 *       it wrote of unacknowledged transactions is delivered again. The log says that the handler failed and is
 *       being retried, with the exception's message, which by its contract holds no row values. The stream gives
 *       up, and stops with a fatal error, when the handler has kept failing for longer than the stream's maximum
 *       retry time with no delivery succeeding in between.
 *   <li>Anything else, a fatal {@code PgFerryException} included, stops the stream with that exception as its
 *       error. Of an exception that is not a {@code PgFerryException} only the class is logged: its message may
 *       quote the row it failed on.
 * </ul>
 *
 * <p>While the initial snapshot is delivered, every handler failure stops the stream: the snapshot cannot be taken
 * again from the same slot.
 *
 * <p>A handler that encodes every change into bytes can implement {@link PreparingHandler} to do that as each change
 * arrives, while the server is still decoding the rest of a large transaction, rather than all at its commit.
 */
@FunctionalInterface
public interface TransactionHandler {
    void onTransaction(Transaction transaction) throws Exception;

    /**
     * Called when the stream has caught up with the server and no message is waiting: the moment to flush buffered
     * output and acknowledge it; and again every 100 ms or so while the stream stays idle, which lets a handler that
     * works on a thread of its own report a failure (by throwing) without waiting for the next transaction. Does
     * nothing by default.
     */
    default void onIdle() throws Exception {}
}
