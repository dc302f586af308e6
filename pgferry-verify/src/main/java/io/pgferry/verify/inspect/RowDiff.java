package io.pgferry.verify.inspect;

import java.util.List;
import java.util.Map;

/**
 * One row that differs between publisher and subscriber. Values are the text forms PostgreSQL gives under the
 * pinned hash settings (null for SQL NULL).
 *
 * @param key the key columns' values, in key order
 * @param publisher the publisher's row, null when it has none
 * @param subscriber the subscriber's row, null when it has none
 * @param columns the columns whose values differ (every column for a row on one side only)
 */
public record RowDiff(
        Map<String, String> key,
        Kind kind,
        Map<String, String> publisher,
        Map<String, String> subscriber,
        List<String> columns) {

    public enum Kind {
        /** On the publisher only: the repair inserts it. */
        MISSING_ON_SUBSCRIBER,
        /** On the subscriber only: the repair deletes it. */
        MISSING_ON_PUBLISHER,
        /** On both with different values: the repair copies the publisher's. */
        CHANGED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
