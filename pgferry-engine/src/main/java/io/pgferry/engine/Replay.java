package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.sink.Stage;
import java.util.function.Supplier;

/**
 * The replay after a chunked copy, as the {@link ApplyHandler} runs it: changes committed before {@code exactFrom}
 * are applied by the sink's idempotent rules, and a key change the sink finds at neither key is read at the source.
 *
 * @param exactFrom the position from which changes apply exactly, read when a sink is opened; INVALID for all
 * @param completion reads at the source, on the applier thread, a change the sink found at neither key
 * @param onReplayed called on the applier thread once the idempotent replay is committed, before the first change
 *     applied exactly
 */
record Replay(Supplier<Lsn> exactFrom, Completion completion, Runnable onReplayed) {
    /** Every change applies exactly. */
    static final Replay NONE = new Replay(
            () -> Lsn.INVALID,
            new Completion() {
                @Override
                public ChangeEvent process(ChangeEvent change) {
                    return change;
                }

                @Override
                public Lsn readThrough() {
                    return Lsn.INVALID;
                }
            },
            () -> {});

    /** Reads a replayed change at the source with what it did not carry ({@link MovedRowValues}). */
    interface Completion extends Stage {
        /**
         * The source's WAL insert position after the last read, INVALID before any: the rows read are as the source
         * had them there, so the replay goes on idempotently up to it.
         */
        Lsn readThrough();
    }

    /**
     * {@code change}, being applied, read at the source with the values it did not carry and passed through {@code
     * stage} like the stream's changes ({@link io.pgferry.core.sink.MovedRows}): null when the source has no row at
     * its new key any more.
     */
    ChangeEvent.Update read(ChangeEvent change, Stage stage) {
        ChangeEvent read = completion.process(change);
        if (!(read instanceof ChangeEvent.Update)) {
            return null;
        }
        return stage.process(read) instanceof ChangeEvent.Update u ? u : null;
    }
}
