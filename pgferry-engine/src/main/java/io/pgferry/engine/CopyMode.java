package io.pgferry.engine;

import java.util.Locale;

/** How a sync fills its target tables before it streams. */
public enum CopyMode {
    /** Copy every table from the slot's exported snapshot, in parallel ranges, then stream from its consistent point. */
    SNAPSHOT,
    /** The target is already loaded: stream from the slot only. */
    NONE;

    /** Parses {@code snapshot} or {@code none}, any case. */
    public static CopyMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw SyncConfig.bad("copyMode", "copy mode '" + text + "' is not known", "use snapshot or none");
        }
    }
}
