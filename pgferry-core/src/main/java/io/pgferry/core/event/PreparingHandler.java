package io.pgferry.core.event;

/**
 * A handler that turns each change into its output bytes as soon as the change arrives — before its transaction is
 * known to commit — so that encoding overlaps with the server's decoding. The server streams a large transaction
 * while it is still in progress (protocol version 2 and later) and only then says whether it committed; an ordinary
 * handler sees its changes at the commit, all at once, while the server waits.
 *
 * <p>The stream keeps the returned bytes, in memory or a spill file, exactly where it would have kept the change, and
 * drops them with the change when the transaction or one of its savepoints aborts. A committed transaction then
 * reaches {@link #onTransaction} carrying the bytes, in change order, as {@link Transaction#preparedChanges()}; its
 * {@link Transaction#iterator()} throws. Rows of the initial snapshot and non-transactional messages are not
 * prepared: they come as ordinary transactions ({@link Transaction#hasPreparedChanges()} is false).
 *
 * <p>What the bytes cannot hold is the transaction's commit position and time: those are only known at delivery,
 * from the {@link Transaction}.
 */
public interface PreparingHandler extends TransactionHandler {
    /**
     * Called on the stream thread for every change of every transaction as it arrives, including changes of
     * transactions or savepoints that later abort, or that commit before the stream's start position (their bytes are
     * then discarded). Must not keep the event, nor its rows: they refer to the message buffer. An exception stops
     * the stream as one from {@link #onTransaction} does.
     *
     * @return the change's output, never null (possibly empty); not modified afterwards
     */
    byte[] prepare(ChangeEvent change) throws Exception;
}
