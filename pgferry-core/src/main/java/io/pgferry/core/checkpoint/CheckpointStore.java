package io.pgferry.core.checkpoint;

import java.util.Optional;

/**
 * Where a stream keeps its {@link Checkpoint}.
 *
 * <p><b>Durability contract.</b> {@link #save} returns only once the checkpoint would survive a crash of the process
 * and of the machine (for a file: written, fsynced, atomically renamed, directory fsynced). The stream saves before it
 * confirms the same position to the server, so the server never forgets WAL that the store does not cover.
 *
 * <p>Called from the stream's thread only; implementations need not be thread-safe.
 */
public interface CheckpointStore {
    /**
     * Tells the store, before {@link #load()}, the fingerprint of the stream it serves. A store that writes the
     * position itself, outside {@link #save} (a destination that stores it with the data, in its own transaction),
     * needs it to write a checkpoint the stream will recognise. Does nothing by default.
     */
    default void bind(String fingerprint) {}

    /** The last saved checkpoint, if any. */
    Optional<Checkpoint> load();

    /** Saves durably; see the class contract. */
    void save(Checkpoint checkpoint);

    /** A human-readable location for messages ("file /var/lib/x.ckpt", "memory"). */
    String describe();

    /** A store that keeps the checkpoint in memory only: after a restart the slot's position is all there is. */
    static CheckpointStore inMemory() {
        return new MemoryCheckpointStore();
    }
}
