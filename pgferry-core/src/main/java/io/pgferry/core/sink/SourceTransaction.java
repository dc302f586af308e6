package io.pgferry.core.sink;

import io.pgferry.core.Lsn;
import java.time.Instant;

/**
 * A source transaction as a sink sees it begin and end inside a batch: what a destination that records transaction
 * boundaries (a Kafka transaction-metadata topic, say) needs to know of it.
 *
 * @param xid the source transaction id; 0 for the rows of the initial copy
 * @param commitLsn the position of its commit record
 * @param endLsn the position just past its commit record, which acknowledges it
 * @param commitTime when it committed at the source
 * @param changes how many changes of it reach the sink (after the stages), known at its end; -1 at its beginning
 */
public record SourceTransaction(long xid, Lsn commitLsn, Lsn endLsn, Instant commitTime, long changes) {}
