package io.pgferry.core.event;

import io.pgferry.core.Lsn;
import java.util.OptionalLong;

/**
 * A handler that appends everything it writes to one output, such as a file, and can cut that output back. The stream
 * keeps the output's length with each checkpoint and hands it back when it resumes, so that whatever the handler wrote
 * after the checkpoint (transactions the stream is about to deliver again, perhaps the torn end of a write the process
 * was killed in) is cut off first: the output receives every transaction exactly once, whole, however the previous
 * run ended.
 *
 * <p><b>Durability.</b> The length saved with a checkpoint at {@code lsn} is {@link #durableLength(Lsn)}: the output
 * holding exactly the transactions that end at or before {@code lsn}, made durable (for a file: forced to disk) before
 * the checkpoint is saved. So a checkpoint never records output that a crash could take back.
 *
 * <p><b>Threading.</b> Both methods are called on the stream's thread: {@link #resume} from {@code start()} before
 * the stream thread exists, {@link #durableLength} between deliveries, never while another method of the handler runs
 * on that thread. A handler that writes from another thread must make them safe against that thread.
 */
public interface AppendingHandler extends TransactionHandler {
    /**
     * Called once, before anything is delivered, after the checkpoint was loaded and checked against the server and
     * before anything is created on it. The handler cuts its output back to {@code length}, or throws when the output
     * is shorter than that (it is not the output the checkpoint was written for, or it was cut): nothing can bring the
     * missing transactions back, and the start fails with that exception.
     *
     * @param length the output length saved with the checkpoint the stream resumes from; empty when there is no
     *     checkpoint or it records no length (written by an older pgferry, or for a handler of another kind): the
     *     output is then used as it is
     * @param checkpoint where the checkpoint is kept ({@code CheckpointStore.describe()}), for messages
     */
    void resume(OptionalLong length, String checkpoint) throws Exception;

    /**
     * The length of the output that holds exactly the transactions delivered so far that end at or before
     * {@code lsn}, made durable before this returns if it was not already. Called before each checkpoint save at
     * {@code lsn}; successive calls never go back. Empty when the output cannot be measured or cut back (a pipe,
     * standard output): the checkpoint then records no length.
     */
    OptionalLong durableLength(Lsn lsn);
}
