package io.pgferry.core.sink;

import io.pgferry.core.Lsn;
import java.time.Instant;

/**
 * The source as a running sync last saw it, kept at the destination beside the sync's position so that a status read
 * from the destination alone reports lag and slot: the source's WAL position, its slot's status ({@code active},
 * {@code inactive} or {@code missing}), confirmed position and retained WAL (both null when the slot is missing), when
 * it was seen ({@code observedAt}, by the destination's clock where it has one), and {@code caughtUpAt}, the time by
 * which the source had written everything the sync's position covered then (null when the sync did not know): what
 * the lag in seconds is measured from. Informative, off the data path.
 */
public record SourceState(
        Lsn walPosition,
        String slotStatus,
        Lsn slotConfirmedFlush,
        Long slotRetainedBytes,
        Instant observedAt,
        Instant caughtUpAt) {}
