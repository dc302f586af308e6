package io.pgferry.verify.compare;

import java.util.Locale;

/** How verify decides which buckets of the two catalogs can be compared. */
public enum ConsistencyMode {
    /**
     * Buckets clean on both sides and computed at least the stability buffer ago, re-read to confirm they hold still.
     * Best effort: replication lag longer than the buffer can show as a mismatch.
     */
    STABLE_WATERMARK,
    /**
     * Waits until the subscriber has applied past the publisher's current WAL position and both catalogs hold every
     * change before it, then compares; a mismatch is confirmed by a second barrier before it is reported, so it is a
     * real divergence and not a change in flight.
     */
    LSN_BARRIER,
    /** Whatever the catalogs hold, dirty or not. */
    RAW;

    /** The name on the command line and in reports: {@code stable-watermark}, {@code lsn-barrier}, {@code raw}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The mode of a {@link #wireName()}; null when there is none. */
    public static ConsistencyMode fromWireName(String name) {
        for (ConsistencyMode m : values()) {
            if (m.wireName().equals(name)) {
                return m;
            }
        }
        return null;
    }
}
