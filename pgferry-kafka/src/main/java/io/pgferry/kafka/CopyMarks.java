package io.pgferry.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.core.sink.CopyRangeId;
import io.pgferry.kafka.event.ConnectJson;
import io.pgferry.kafka.event.OutRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;

/**
 * The marks of an initial copy into Kafka, in the offsets topic beside the sync's position: how many rows of a block
 * range are in ({@link CopyRangeId}). A copy worker's transaction writes its range's mark with the range's records,
 * so a {@code read_committed} consumer sees both or neither, and a range read again after a lost session skips the
 * rows its mark counts. Marks belong to one copy: a copy that starts removes those of any copy before it, and a copy
 * that ends removes its own ({@link KafkaPositions#forgetCopyMarks}, {@link KafkaPositions#removeCopyMarks}).
 *
 * <p>Each range has a key of its own, {@code <sync>\0copy\0<relation>\0<first block>} (UTF-8), so that compaction
 * keeps its last mark and a tombstone removes it; the NUL never occurs in a sync's name, which is how {@link
 * OffsetStore} tells marks from positions. Relations and blocks are names and file positions, not row values.
 */
final class CopyMarks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final char SEPARATOR = '\0';

    private final String topic;
    private final String syncName;
    private final String prefix;

    CopyMarks(String topic, String syncName) {
        this.topic = topic;
        this.syncName = syncName;
        this.prefix = syncName + SEPARATOR + "copy" + SEPARATOR;
    }

    /** Whether {@code key} is a copy mark's, of any sync. */
    static boolean isMark(byte[] key) {
        for (byte b : key) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }

    /** The record marking {@code rows} rows of {@code range} as in. */
    OutRecord mark(CopyRangeId range, long rows) {
        byte[] value = ConnectJson.record(false, null, g -> {
            g.writeStartObject();
            g.writeStringField("sync", syncName);
            g.writeStringField("copy_relation", range.relation());
            g.writeNumberField("copy_from_block", range.fromBlock());
            g.writeNumberField("copy_rows", rows);
            g.writeEndObject();
        });
        return new OutRecord(topic, key(range), value);
    }

    /** The tombstone that removes {@code range}'s mark. */
    OutRecord removal(CopyRangeId range) {
        return new OutRecord(topic, key(range), null);
    }

    /** The rows of {@code range} its last committed mark counts, or empty when it has none. */
    OptionalLong rows(Map<String, Object> consumerSettings, CopyRangeId range) throws TimeoutException {
        String key = new String(key(range), StandardCharsets.UTF_8);
        Long rows = current(consumerSettings).get(key);
        return rows == null ? OptionalLong.empty() : OptionalLong.of(rows);
    }

    /** Tombstones for every mark of this sync that the topic holds. */
    List<OutRecord> removals(Map<String, Object> consumerSettings) throws TimeoutException {
        List<OutRecord> out = new ArrayList<>();
        for (String key : current(consumerSettings).keySet()) {
            out.add(new OutRecord(topic, key.getBytes(StandardCharsets.UTF_8), null));
        }
        return out;
    }

    /** This sync's marks as a {@code read_committed} consumer sees them, by key: the last record of each wins. */
    private Map<String, Long> current(Map<String, Object> consumerSettings) throws TimeoutException {
        Map<String, Long> marks = new LinkedHashMap<>();
        TopicReader.readToEnd(consumerSettings, topic, TIMEOUT, r -> {
            if (r.key() == null) {
                return;
            }
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (!key.startsWith(prefix)) {
                return;
            }
            if (r.value() == null) {
                marks.remove(key);
            } else {
                marks.put(key, rowsOf(r.value()));
            }
        });
        return marks;
    }

    private long rowsOf(byte[] value) {
        try {
            JsonNode n = JSON.readTree(value);
            JsonNode rows = n == null ? null : n.get("copy_rows");
            if (rows == null || !rows.canConvertToLong()) {
                throw new IOException("no copy_rows");
            }
            return rows.asLong();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "a copy mark of sync " + syncName + " in topic " + topic + " is not a pgferry copy mark", e);
        }
    }

    private byte[] key(CopyRangeId range) {
        return (prefix + range.relation() + SEPARATOR + range.fromBlock()).getBytes(StandardCharsets.UTF_8);
    }
}
