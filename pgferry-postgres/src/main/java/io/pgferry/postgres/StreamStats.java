package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import java.time.Instant;

/**
 * A snapshot of a stream's counters.
 *
 * @param transactions transactions delivered to the handler
 * @param messages pgoutput messages received
 * @param bytes payload bytes received
 * @param acknowledged highest acknowledged position
 * @param confirmed position last confirmed to the server
 * @param spillFiles spill files written
 * @param spillRawBytes bytes written to spill files before compression
 * @param spillFileBytes bytes spill files took on disk
 * @param peakOffHeapBytes most off-heap buffer memory held at once
 * @param reconnects connections re-established after a loss
 * @param offHeapBytes off-heap buffer memory held now
 * @param lastAcknowledgedCommit commit time of the last transaction the handler acknowledged; null before the first
 * @param oldestUnacknowledgedCommit commit time of the oldest transaction handed to the handler and not acknowledged
 *     yet; null when the handler holds none
 * @param connectionErrors retriable failures of the connection to the source (each followed by a reconnect attempt)
 * @param handlerErrors retriable failures of the handler (the destination), each followed by a redelivery
 */
public record StreamStats(
        long transactions,
        long messages,
        long bytes,
        Lsn acknowledged,
        Lsn confirmed,
        long spillFiles,
        long spillRawBytes,
        long spillFileBytes,
        long peakOffHeapBytes,
        long reconnects,
        long offHeapBytes,
        Instant lastAcknowledgedCommit,
        Instant oldestUnacknowledgedCommit,
        long connectionErrors,
        long handlerErrors) {
    /** A stream that has received nothing yet. */
    public static final StreamStats EMPTY =
            new StreamStats(0, 0, 0, Lsn.INVALID, Lsn.INVALID, 0, 0, 0, 0, 0, 0, null, null, 0, 0);
}
