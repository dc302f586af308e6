package io.pgferry.engine.config;

import java.util.Locale;

/** How a sync fills its target tables before it streams. */
public enum CopyMode {
    /** Copy every table from the slot's exported snapshot, in parallel ranges, then stream from its consistent point. */
    SNAPSHOT,
    /**
     * Copy every table in key-range chunks, each in a short transaction of its own and recorded at the target when
     * done, so that a crashed copy resumes at the next unfinished chunk and no snapshot is held for long; then replay
     * the changes made meanwhile idempotently until the target has passed the source position read after the last
     * chunk.
     */
    CHUNKED,
    /** The target is already loaded: stream from the slot only. */
    NONE;

    /** Parses {@code snapshot}, {@code chunked} or {@code none}, any case. */
    public static CopyMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw SyncConfig.bad("copyMode", "copy mode '" + text + "' is not known", "use snapshot, chunked or none");
        }
    }
}
