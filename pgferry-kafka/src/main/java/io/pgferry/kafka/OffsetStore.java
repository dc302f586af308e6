package io.pgferry.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.kafka.event.ConnectJson;
import io.pgferry.kafka.event.OutRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;

/**
 * The sync's position in the offsets topic: a compacted topic keyed by sync name (UTF-8), whose records say {@code
 * {"sync", "lsn", "lsn_value", "fingerprint", "source_commit_ts", "ts_ms"}}. The sink writes one record with each
 * commit; the position is the highest of the sync's records that a {@code read_committed} consumer sees, so a record
 * written in an aborted transaction never counts. Positions only move forward, and the highest, not the last, is
 * taken because the stream's checkpoint store ({@link KafkaPositions}) advances the position outside the sink's
 * transactions: its record may land before a transaction of the sink that commits a lower one.
 *
 * <p>Under the same key, a record {@code {"sync", "copy_started_ts_ms"}} says that an initial copy began: written
 * before the copy creates its slot, it is followed by the copy's position when the copy ends. A marker that is the
 * sync's last record therefore means a copy that never finished, and that the slot it may have left is the sync's
 * own ({@link #readAll} reports it; it is never a position).
 *
 * <p>A tombstone under the key removes the sync: the records before it no longer count. Records under keys with a
 * NUL are an initial copy's marks ({@link CopyMarks}), never positions.
 */
final class OffsetStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The field that makes a record a copy marker. */
    private static final String COPY_STARTED = "copy_started_ts_ms";

    private final String topic;
    private final String syncName;
    private final byte[] key;

    OffsetStore(String topic, String syncName) {
        this.topic = topic;
        this.syncName = syncName;
        this.key = syncName.getBytes(StandardCharsets.UTF_8);
    }

    String topic() {
        return topic;
    }

    /** The record storing {@code endLsn}; {@code sourceCommitTime} may be null (a non-transactional message). */
    OutRecord record(Lsn endLsn, Instant sourceCommitTime, String fingerprint, Instant now) {
        byte[] value = ConnectJson.record(false, null, g -> {
            g.writeStartObject();
            g.writeStringField("sync", syncName);
            g.writeStringField("lsn", endLsn.toString());
            g.writeNumberField("lsn_value", endLsn.value());
            g.writeStringField("fingerprint", fingerprint);
            g.writeStringField("source_commit_ts", sourceCommitTime == null ? null : sourceCommitTime.toString());
            g.writeNumberField("ts_ms", now.toEpochMilli());
            g.writeEndObject();
        });
        return new OutRecord(topic, key, value);
    }

    /** The record saying that an initial copy of the sync began at {@code now}. */
    OutRecord copyStarted(Instant now) {
        byte[] value = ConnectJson.record(false, null, g -> {
            g.writeStartObject();
            g.writeStringField("sync", syncName);
            g.writeNumberField(COPY_STARTED, now.toEpochMilli());
            g.writeEndObject();
        });
        return new OutRecord(topic, key, value);
    }

    /** The tombstone that removes the sync: records before it no longer count ({@link #readAll}). */
    OutRecord removal() {
        return new OutRecord(topic, key, null);
    }

    /**
     * A stored position, the fingerprint of the stream that stored it, when the source committed it (null for a
     * position stored without a source transaction) and when it was stored.
     */
    record Stored(Lsn lsn, String fingerprint, Instant sourceCommitTime, Instant storedAt) {}

    /** Reads the topic from its start to its last stable offset; the highest stored position of the sync, if any. */
    Optional<Lsn> read(Map<String, Object> consumerSettings) throws TimeoutException {
        return readStored(consumerSettings).map(Stored::lsn);
    }

    /** As {@link #read}, with what is stored with the position. */
    Optional<Stored> readStored(Map<String, Object> consumerSettings) throws TimeoutException {
        return Optional.ofNullable(readAll(consumerSettings, syncName, null).get(syncName));
    }

    /**
     * What the topic holds for this sync: its highest position, if any, and whether its last record is a copy marker
     * (an initial copy began and did not finish).
     */
    record State(Optional<Stored> position, boolean copyUnfinished) {}

    State readState(Map<String, Object> consumerSettings) throws TimeoutException {
        Listing l = list(consumerSettings, syncName);
        return new State(
                Optional.ofNullable(l.positions().get(syncName)),
                l.unfinishedCopies().contains(syncName));
    }

    /**
     * What the topic holds for every sync, or for {@code only} alone when it is not null.
     *
     * @param positions the highest stored position of each sync, with the commit time of the last transaction stored
     *     at or before it
     * @param unfinishedCopies the syncs whose last record is a copy marker: a copy is running, or was interrupted
     */
    record Listing(Map<String, Stored> positions, Set<String> unfinishedCopies) {}

    /** Empty when the topic does not exist. */
    Listing list(Map<String, Object> consumerSettings, String only) throws TimeoutException {
        Set<String> unfinished = new TreeSet<>();
        Map<String, Stored> positions = readAll(consumerSettings, only, unfinished);
        return new Listing(positions, unfinished);
    }

    /**
     * The highest stored position of every sync (of {@code only} alone when it is not null), with the commit time of
     * the last transaction stored at or before it; adds to {@code unfinishedCopies}, when given, every sync whose last
     * record is a copy marker.
     */
    private Map<String, Stored> readAll(Map<String, Object> consumerSettings, String only, Set<String> unfinishedCopies)
            throws TimeoutException {
        Map<String, Stored> highest = new TreeMap<>();
        Map<String, Stored> lastTimed = new TreeMap<>();
        TopicReader.readToEnd(consumerSettings, topic, TIMEOUT, r -> {
            if (r.key() == null || CopyMarks.isMark(r.key()) || (only != null && !Arrays.equals(r.key(), key))) {
                return;
            }
            String sync = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                // The sync was removed: what it stored before is gone with it.
                highest.remove(sync);
                lastTimed.remove(sync);
                if (unfinishedCopies != null) {
                    unfinishedCopies.remove(sync);
                }
                return;
            }
            JsonNode value = tree(sync, r.value());
            if (value.has(COPY_STARTED)) {
                if (unfinishedCopies != null) {
                    unfinishedCopies.add(sync);
                }
                return;
            }
            if (unfinishedCopies != null) {
                // Any position after the marker: the copy ended (or the sync moved on).
                unfinishedCopies.remove(sync);
            }
            Stored s = parse(sync, value);
            Stored before = highest.get(sync);
            // At the same position the later record wins: it may store it under a new identity (restamp).
            if (before == null || !s.lsn().isBefore(before.lsn())) {
                highest.put(sync, s);
            }
            Stored timed = lastTimed.get(sync);
            if (s.sourceCommitTime() != null && (timed == null || !s.lsn().isBefore(timed.lsn()))) {
                lastTimed.put(sync, s);
            }
        });
        // An advance over WAL that carried nothing for the sync (or the end of a copy) is stored without a commit
        // time; the last transaction delivered is still the one before it, so its time stays the answer.
        highest.replaceAll((sync, h) -> h.sourceCommitTime() != null || !lastTimed.containsKey(sync)
                ? h
                : new Stored(h.lsn(), h.fingerprint(), lastTimed.get(sync).sourceCommitTime(), h.storedAt()));
        return highest;
    }

    private JsonNode tree(String sync, byte[] value) {
        try {
            JsonNode n = JSON.readTree(value);
            if (n == null || !n.isObject()) {
                throw new IOException("not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw notAPosition(sync, e);
        }
    }

    private PgFerryException notAPosition(String sync, Exception e) {
        return PgFerryException.fatal(
                "a record of sync " + sync + " in topic " + topic + " is not a pgferry position",
                "delete the record (a tombstone with key " + sync + ") only if the sync is to start over",
                e);
    }

    private Stored parse(String sync, JsonNode n) {
        try {
            JsonNode lsn = n.get("lsn");
            if (lsn == null || !lsn.isTextual()) {
                throw new IOException("no lsn");
            }
            JsonNode fp = n.get("fingerprint");
            JsonNode committed = n.get("source_commit_ts");
            JsonNode at = n.get("ts_ms");
            return new Stored(
                    Lsn.parse(lsn.asText()),
                    fp == null || fp.isNull() ? "" : fp.asText(),
                    committed == null || committed.isNull() ? null : Instant.parse(committed.asText()),
                    at == null || !at.canConvertToLong() ? null : Instant.ofEpochMilli(at.asLong()));
        } catch (IOException | RuntimeException e) {
            throw notAPosition(sync, e);
        }
    }
}
