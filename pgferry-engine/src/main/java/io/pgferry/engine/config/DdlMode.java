package io.pgferry.engine.config;

import java.util.Locale;

/** What a sync does when a source table gains a column while streaming. */
public enum DdlMode {
    /** Add the column at the target, in the same transaction as the first change that carries it. */
    APPLY,
    /** Stop with an error naming the table and column. */
    STOP;

    /** Parses {@code apply} or {@code stop}, any case. */
    public static DdlMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw SyncConfig.bad("ddl", "DDL mode '" + text + "' is not known", "use apply or stop");
        }
    }
}
