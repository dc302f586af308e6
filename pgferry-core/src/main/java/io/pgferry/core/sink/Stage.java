package io.pgferry.core.sink;

import io.pgferry.core.event.ChangeEvent;

/**
 * A step between the stream and a sink that may pass a change on, replace it, or drop it: masking, filtering,
 * scanning. In a sync a stage sees every change of every transaction in commit order, on the engine's apply thread. A
 * handler that encodes changes as they arrive ({@code pgferry stream}) shows it each change before its transaction is
 * known to commit, on the stream's thread, including changes of transactions that then abort.
 *
 * <p>A stage must be a pure function of the change and its own configuration: the engine may show it the same
 * transaction again after a retry or a restart, and expects the same answer. It must not keep the change: its rows
 * may refer to a buffer the stream reuses.
 */
@FunctionalInterface
public interface Stage {
    /** Passes every change unchanged. */
    Stage IDENTITY = change -> change;

    /**
     * @return the change to hand on (the same or a new one), or null to drop it
     */
    ChangeEvent process(ChangeEvent change);

    /** This stage, then {@code next} on what it passed on. */
    default Stage andThen(Stage next) {
        return change -> {
            ChangeEvent c = process(change);
            return c == null ? null : next.process(c);
        };
    }
}
