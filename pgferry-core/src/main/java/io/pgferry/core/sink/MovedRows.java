package io.pgferry.core.sink;

import io.pgferry.core.event.ChangeEvent;

/**
 * Where a sink replaying changes idempotently ({@link ChangeSink#idempotent}) reads a row it has to write whole but
 * was not given whole: a key change that finds its row at neither key (a copy that read the table in parts missed
 * it) and left values stored out of line (TOAST) unchanged, which the stream does not carry. The caller reads the row
 * at the source as it is now, so the destination is exact only past that point: it extends the replay to it ({@link
 * ChangeSink#extendReplay}) after the change is applied.
 *
 * <p>Called on the thread that applies, from within {@link ChangeSink#apply}, about the change being applied.
 */
@FunctionalInterface
public interface MovedRows {
    /**
     * The key change being applied, with the values it left unchanged as the source has them now, passed through the
     * same stages as the change; null when the source has no row at its new key any more (a later change deleted or
     * moved it, and the replay comes to that change). A value it still lacks is the sink's to refuse.
     */
    ChangeEvent.Update readCurrent();
}
