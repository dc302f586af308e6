package io.pgferry.scan;

import io.pgferry.core.Lsn;
import io.pgferry.scan.rules.Severity;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One match of one rule in one value, as it leaves the process: masked, with no raw value anywhere in it.
 *
 * @param database the source's identity, {@code host:port/dbname}
 * @param path the JSON path of a json leaf ({@code $.contact.email}), the subscript of an array element
 *     ({@code [2]}), or null for the whole value
 * @param sample the matched text, masked ({@link Masking#sample})
 * @param key the row's key columns (its primary key, or replica identity index; never every column under REPLICA
 *     IDENTITY FULL, never a column the scope excludes), values as PostgreSQL prints them, masked where a rule
 *     matched them
 * @param op {@code insert}, {@code update} or {@code read} (a row that existed before the scan)
 * @param commitLsn the transaction's commit LSN; for a row of the initial snapshot, the snapshot's position
 * @param commitTime the commit time; null for a row of the initial snapshot
 * @param fingerprint a keyed hash (HMAC-SHA-256 with the installation's secret) of the rule and the matched text:
 *     equal for equal values, useless without the secret
 * @param channels the channels the rule routes its findings to; empty: every channel
 */
public record Finding(
        String database,
        String schema,
        String table,
        String column,
        String path,
        String rule,
        String category,
        Severity severity,
        String description,
        String sample,
        Map<String, String> key,
        String op,
        Lsn commitLsn,
        Instant commitTime,
        String fingerprint,
        List<String> channels) {
    public Finding {
        key = Collections.unmodifiableMap(new LinkedHashMap<>(key));
        channels = List.copyOf(channels);
    }

    /** True when this finding goes to the named channel. */
    public boolean routesTo(String channel) {
        return channels.isEmpty() || channels.contains(channel);
    }

    /** Where the value is: {@code schema.table.column} and the path, if any. */
    public String location() {
        return schema + "." + table + "." + column + (path == null ? "" : " " + path);
    }

    /**
     * What makes two findings the same for deduplication: the place and the fingerprint (so the same value in the
     * same column is reported once per window, and in another column again).
     */
    public String dedupKey() {
        return database + "\u0000" + schema + "\u0000" + table + "\u0000" + column + "\u0000"
                + (path == null ? "" : path) + "\u0000" + rule + "\u0000" + fingerprint;
    }
}
