package io.pgferry.core.checkpoint;

import io.pgferry.core.Lsn;
import java.util.OptionalLong;

/**
 * What a stream has durably done: every transaction that ends at or before {@code lsn} was acknowledged by the
 * handler. {@code fingerprint} identifies the configuration that produced it (source, slot, publication, tables), so
 * that a checkpoint is never applied to a different stream by mistake.
 *
 * <p>{@code outputLength} is, for a handler that appends to one output
 * ({@link io.pgferry.core.event.AppendingHandler}), the length of that output holding exactly those transactions,
 * durable before the checkpoint was saved; empty for any other handler, and in a checkpoint written before pgferry
 * recorded it.
 */
public record Checkpoint(Lsn lsn, String fingerprint, OptionalLong outputLength) {
    public Checkpoint {
        if (outputLength.isPresent() && outputLength.getAsLong() < 0) {
            throw new IllegalArgumentException("output length must be >= 0, was " + outputLength.getAsLong());
        }
    }

    /** A checkpoint without an output length. */
    public Checkpoint(Lsn lsn, String fingerprint) {
        this(lsn, fingerprint, OptionalLong.empty());
    }

    /** This checkpoint with {@code length} as its output length. */
    public Checkpoint withOutputLength(long length) {
        return new Checkpoint(lsn, fingerprint, OptionalLong.of(length));
    }
}
