package io.pgferry.core.event;

/**
 * Receives committed transactions, one at a time, in commit order.
 *
 * <p><b>Threading.</b> Both methods are called on the stream's single thread, never concurrently. While a method
 * runs, the stream reads nothing from the server, so a handler that blocks for longer than the server's
 * {@code wal_sender_timeout} (60 s by default) gets the connection closed; hand slow work to another thread and
 * {@link Transaction#ack() acknowledge} from there.
 *
 * <p><b>Durability contract.</b> Call {@link Transaction#ack()} only once what the transaction covers is durable at
 * the destination. The stream never confirms to the server a position that has not been acknowledged, so after a
 * crash every unacknowledged transaction is delivered again, and no acknowledged one is.
 *
 * <p>An exception thrown from {@link #onTransaction} stops the stream with that exception as its error.
 *
 * <p>A handler that encodes every change into bytes can implement {@link PreparingHandler} to do that as each change
 * arrives, while the server is still decoding the rest of a large transaction, rather than all at its commit.
 */
@FunctionalInterface
public interface TransactionHandler {
    void onTransaction(Transaction transaction) throws Exception;

    /**
     * Called when the stream has caught up with the server and no message is waiting: the moment to flush buffered
     * output and acknowledge it. Does nothing by default.
     */
    default void onIdle() throws Exception {}
}
