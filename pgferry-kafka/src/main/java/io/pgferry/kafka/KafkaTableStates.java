package io.pgferry.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.SourceState;
import io.pgferry.core.sink.TableState;
import io.pgferry.kafka.event.ConnectJson;
import io.pgferry.kafka.event.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * The state of each table of a Kafka sync, kept where a SQL destination keeps its {@code table_state} table: in
 * Kafka, in the compacted topic {@code <prefix>.pgferry_table_state}, one record per sync and table (key {@code
 * <sync>/<schema.table>}, UTF-8; value {@code {"sync", "table", "topic", "state", "rows_copied", "bytes_copied",
 * "error", "apply_from", "ts_ms"}}), the last one of a key being the table's state. The sync writes a record at each
 * change of state, outside any transaction and waiting for the in-sync replicas; {@code pgferry status} reads them
 * back. The same topic keeps, under key {@code <sync>}, the source as the running sync last saw it ({@link
 * #saveSource}), as a SQL destination's {@code source_state} table does.
 *
 * <p>The position, not these records, decides where a sync resumes; the records say which tables are the sync's (a
 * table is recorded before its first row is sent) and, for a table added to a sync that streamed already, from which
 * position its changes apply ({@code apply_from}: the consistent point of the snapshot it was copied from, {@link
 * #UNFINISHED} while that copy has not ended). Used by the sync's thread, the copy's workers, the applier and the
 * thread that watches the source: the methods that save are synchronized.
 */
public final class KafkaTableStates implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final KafkaTarget target;
    private final Topics topics;
    private final String topic;
    private final String clientId;
    private final Clock clock = Clock.systemUTC();
    /** What was last saved of each table, so that an error keeps its table's counters. */
    private final Map<String, Stored> last = new HashMap<>();

    private Producer<byte[], byte[]> producer;
    private boolean primed;

    /** {@code apply_from} of a table whose addition began and did not finish. */
    public static final long UNFINISHED = 0;

    /**
     * One table's state as stored; {@code error} is null unless the state is {@link TableState#ERROR}; {@code
     * applyFrom} is null but for a table added to a sync that streamed already.
     */
    public record Stored(
            String sync,
            String table,
            String topic,
            TableState state,
            long rowsCopied,
            long bytesCopied,
            String error,
            Long applyFrom,
            Instant updatedAt) {}

    public KafkaTableStates(KafkaTarget target) {
        this.target = target;
        this.topics = new Topics(target.topicPrefix(), target.schemaMap());
        this.topic = topicOf(target);
        this.clientId = target.transactionalId() + "-states";
    }

    private static String topicOf(KafkaTarget target) {
        return target.topicPrefix() + ".pgferry_table_state";
    }

    /**
     * Stores table {@code schema.table}'s state (its name as the sync shows it is {@code shown}); waits for the
     * in-sync replicas. {@code error} is one line without row values.
     */
    public synchronized void save(
            String schema, String table, String shown, TableState state, long rows, long bytes, String error) {
        Stored before = before(shown);
        save(schema, table, shown, state, rows, bytes, error, before == null ? null : before.applyFrom());
    }

    private void save(
            String schema,
            String table,
            String shown,
            TableState state,
            long rows,
            long bytes,
            String error,
            Long applyFrom) {
        Stored s = new Stored(
                target.syncName(),
                shown,
                topics.table(schema, table),
                state,
                rows,
                bytes,
                error,
                applyFrom,
                clock.instant());
        send(s);
        last.put(shown, s);
    }

    /**
     * Records that a table's changes apply from {@code lsn} ({@link #UNFINISHED} while its copy has not ended), in
     * state {@code state} with its counters reset.
     */
    public synchronized void saveApplyFrom(String schema, String table, String shown, TableState state, long lsn) {
        Stored before = before(shown);
        save(
                schema,
                table,
                shown,
                state,
                before == null || lsn == UNFINISHED ? 0 : before.rowsCopied(),
                before == null || lsn == UNFINISHED ? 0 : before.bytesCopied(),
                null,
                lsn);
    }

    /** Moves a table to the streaming state, keeping the counters last saved of it in this run. */
    public synchronized void saveStreaming(String schema, String table, String shown) {
        saveKeepingCounters(schema, table, shown, TableState.STREAMING, null);
    }

    /** Moves a table to the error state with {@code error}, keeping the counters last saved of it. */
    public synchronized void saveError(String schema, String table, String shown, String error) {
        saveKeepingCounters(schema, table, shown, TableState.ERROR, error);
    }

    /** Moves a table to the removed state (no longer the sync's), keeping the counters last saved of it. */
    public synchronized void saveRemoved(String schema, String table, String shown) {
        saveKeepingCounters(schema, table, shown, TableState.REMOVED, null);
    }

    private void saveKeepingCounters(String schema, String table, String shown, TableState state, String error) {
        Stored before = before(shown);
        save(
                schema,
                table,
                shown,
                state,
                before == null ? 0 : before.rowsCopied(),
                before == null ? 0 : before.bytesCopied(),
                error);
    }

    /**
     * What was last saved of a table: in this run, else as a previous run left it (read once, on first need), so
     * that a resumed sync keeps the counters of the copy it made.
     */
    private Stored before(String shown) {
        if (!primed && !last.containsKey(shown)) {
            for (Stored s : readAll(target, target.syncName()).getOrDefault(target.syncName(), List.of())) {
                last.putIfAbsent(s.table(), s);
            }
            primed = true;
        }
        return last.get(shown);
    }

    private void send(Stored s) {
        byte[] value = ConnectJson.record(false, null, g -> {
            g.writeStartObject();
            g.writeStringField("sync", s.sync());
            g.writeStringField("table", s.table());
            g.writeStringField("topic", s.topic());
            g.writeStringField("state", s.state().label());
            g.writeNumberField("rows_copied", s.rowsCopied());
            g.writeNumberField("bytes_copied", s.bytesCopied());
            g.writeStringField("error", s.error());
            if (s.applyFrom() == null) {
                g.writeNullField("apply_from");
            } else {
                g.writeNumberField("apply_from", s.applyFrom());
            }
            g.writeNumberField("ts_ms", s.updatedAt().toEpochMilli());
            g.writeEndObject();
        });
        send(s.sync(), s.table(), value);
    }

    /** Sends the record of {@code table} of {@code sync}, a tombstone when {@code value} is null. */
    private void send(String sync, String table, byte[] value) {
        sendKeyed(sync + "/" + table, "the state of table " + table + " of sync " + sync, value);
    }

    /** Sends the record of key {@code key} (what it holds is {@code what}), a tombstone when {@code value} is null. */
    private void sendKeyed(String key, String what, byte[] value) {
        try {
            if (producer == null) {
                try (TopicAdmin admin = new TopicAdmin(ClientSettings.admin(target, clientId + "-admin"))) {
                    admin.ensureCompacted(topic);
                }
                try {
                    producer = new KafkaProducer<>(ClientSettings.producer(target, null, clientId));
                } catch (KafkaException e) {
                    throw KafkaErrors.badSettings(e, target);
                }
            }
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value))
                    .get();
        } catch (PgFerryException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw KafkaErrors.classify(e, "record " + what + " in " + topic, target, null);
        }
    }

    /** Removes the stored state of each of {@code tables} (names as the sync shows them), with tombstones. */
    public synchronized void remove(Collection<String> tables) {
        for (String table : tables) {
            send(target.syncName(), table, null);
            last.remove(table);
        }
    }

    /**
     * Records what the running sync just saw of the source, under key {@code <sync>} ({@link SourceRecord}); waits for
     * the in-sync replicas. The topic keeps the last one (compaction), which {@code pgferry status} reads.
     */
    public synchronized void saveSource(SourceState seen) {
        String sync = target.syncName();
        sendKeyed(
                sync,
                "the source's state as sync " + sync + " saw it",
                ConnectJson.record(false, null, g -> SourceRecord.write(g, sync, seen)));
    }

    /** Removes the sync's source-state record, with a tombstone. */
    public synchronized void removeSource() {
        String sync = target.syncName();
        sendKeyed(sync, "the source's state as sync " + sync + " saw it", null);
    }

    /**
     * The state of every table of every sync under {@code target}'s prefix (of {@code onlySync} alone when not
     * null), by sync, each list in table order; empty when the topic does not exist (a sync of an older release).
     */
    public static Map<String, List<Stored>> readAll(KafkaTarget target, String onlySync) {
        return read(target, onlySync).tables();
    }

    /**
     * What the topic holds for the syncs under {@code target}'s prefix (for {@code onlySync} alone when not null): the
     * state of each table, by sync, each list in table order, and the source as each running sync last saw it.
     */
    public record Contents(Map<String, List<Stored>> tables, Map<String, SourceState> sources) {}

    /** Reads the whole topic once; empty when it does not exist (a sync of an older release). */
    public static Contents read(KafkaTarget target, String onlySync) {
        String topic = topicOf(target);
        Map<String, Map<String, Stored>> bySync = new TreeMap<>();
        Map<String, SourceState> sources = new TreeMap<>();
        try {
            TopicReader.readToEnd(
                    ClientSettings.consumer(target, target.transactionalId() + "-states-status"), topic, TIMEOUT, r -> {
                        if (r.value() == null) {
                            // A tombstone: the table's state was removed with its sync (key "<sync>/<table>"; sync
                            // names,
                            // slot names, hold no '/'), or the sync's source state (key "<sync>").
                            String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                            int slash = key.indexOf('/');
                            if (slash > 0) {
                                Map<String, Stored> tables = bySync.get(key.substring(0, slash));
                                if (tables != null) {
                                    tables.remove(key.substring(slash + 1));
                                }
                            } else {
                                sources.remove(key);
                            }
                            return;
                        }
                        JsonNode n = tree(topic, r.value());
                        String sync = n.path("sync").asText();
                        if (onlySync != null && !onlySync.equals(sync)) {
                            return;
                        }
                        if (SourceRecord.is(n)) {
                            sources.put(sync, parse(topic, n, SourceRecord::parse));
                        } else {
                            Stored s = parse(topic, n, KafkaTableStates::parse);
                            bySync.computeIfAbsent(s.sync(), k -> new TreeMap<>())
                                    .put(s.table(), s);
                        }
                    });
            bySync.values().removeIf(Map::isEmpty);
        } catch (PgFerryException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw KafkaErrors.classify(e, "read the table states in " + topic, target, null);
        }
        Map<String, List<Stored>> out = new TreeMap<>();
        bySync.forEach((sync, tables) -> out.put(sync, new ArrayList<>(tables.values())));
        return new Contents(out, sources);
    }

    private static JsonNode tree(String topic, byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw notOurs(topic, e);
        }
    }

    private static <T> T parse(String topic, JsonNode n, Function<JsonNode, T> parser) {
        try {
            return parser.apply(n);
        } catch (RuntimeException e) {
            throw notOurs(topic, e);
        }
    }

    private static PgFerryException notOurs(String topic, Exception e) {
        return PgFerryException.fatal(
                "a record in topic " + topic + " is not a pgferry table state",
                "delete the topic: the next run of each sync writes its tables' states again",
                e);
    }

    private static Stored parse(JsonNode n) {
        JsonNode error = n.get("error");
        JsonNode applyFrom = n.get("apply_from");
        return new Stored(
                n.get("sync").asText(),
                n.get("table").asText(),
                n.get("topic").asText(),
                TableState.ofLabel(n.get("state").asText()),
                n.get("rows_copied").asLong(),
                n.get("bytes_copied").asLong(),
                error == null || error.isNull() ? null : error.asText(),
                applyFrom == null || applyFrom.isNull() ? null : applyFrom.asLong(),
                Instant.ofEpochMilli(n.get("ts_ms").asLong()));
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close();
            producer = null;
        }
    }
}
