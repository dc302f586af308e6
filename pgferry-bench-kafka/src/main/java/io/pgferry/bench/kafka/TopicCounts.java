package io.pgferry.bench.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a run left in Kafka: every record of the table topics {@code <prefix>.<schema>.<table>}, read back from the
 * start with a {@code read_committed} consumer and counted per table and op (the top-level {@code op} field of the
 * value; a null value is a tombstone). Only the op is read from each value: row values are never looked at or
 * printed.
 *
 * @param byTable per table ({@code schema.table}), per op; {@code "tombstone"} for null values and {@code "?"} for
 *     values without a top-level op (an event with a schema envelope, say)
 */
record TopicCounts(Map<String, Map<String, Long>> byTable) {
    static final String TOMBSTONE = "tombstone";

    /**
     * Topics of the prefix that are not table topics: pgferry's position and table states, messages, transaction
     * metadata, heartbeats.
     */
    private static final Set<String> OTHER_TOPICS =
            Set.of("pgferry_offsets", "pgferry_table_state", "message", "transaction", "heartbeat");

    private static final JsonFactory JSON = new JsonFactory();

    /** Reads every table topic of {@code prefix} to its end offsets of this moment; fails after {@code timeout}. */
    static TopicCounts read(String bootstrap, String prefix, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> topics = new ArrayList<>();
        List<TopicPartition> parts = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            for (String name : admin.listTopics().names().get(1, TimeUnit.MINUTES)) {
                if (name.startsWith(prefix + ".") && !OTHER_TOPICS.contains(name.substring(prefix.length() + 1))) {
                    topics.add(name);
                }
            }
            if (!topics.isEmpty()) {
                for (TopicDescription d : admin.describeTopics(topics)
                        .allTopicNames()
                        .get(1, TimeUnit.MINUTES)
                        .values()) {
                    d.partitions().forEach(p -> parts.add(new TopicPartition(d.name(), p.partition())));
                }
            }
        }
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        if (parts.isEmpty()) {
            return new TopicCounts(counts);
        }
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                // Only committed records: what a consumer of pgferry's exactly-once delivery is told to read. Records
                // written without transactions (at-least-once, Debezium) are all visible to it.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                "5000",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName()))) {
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                if (System.nanoTime() - deadline > 0) {
                    throw new TimeoutException("could not read the topics of " + prefix + " to their end in time");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    String table = r.topic().substring(prefix.length() + 1);
                    String op = r.value() == null ? TOMBSTONE : op(r.value());
                    counts.computeIfAbsent(table, t -> new TreeMap<>()).merge(op, 1L, Long::sum);
                }
            }
        }
        return new TopicCounts(counts);
    }

    /** The value's top-level {@code op}, skipping every other field unread; {@code "?"} when it has none. */
    private static String op(byte[] value) throws IOException {
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return "?";
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("op")) {
                    return t == JsonToken.VALUE_STRING ? p.getText() : "?";
                }
                p.skipChildren();
            }
            return "?";
        }
    }

    long count(String table, String op) {
        return byTable.getOrDefault(table, Map.of()).getOrDefault(op, 0L);
    }

    long total() {
        return byTable.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToLong(Long::longValue)
                .sum();
    }

    /**
     * Checks these counts against what was expected: every expected table and op, a tombstone per delete, and nothing
     * else. With {@code exact} every count must be equal; otherwise more is allowed (at-least-once may repeat).
     *
     * @return the records beyond the expected ones (0 when exact)
     * @throws IllegalStateException naming the first difference
     */
    long check(Options.Expected expected, boolean exact, String run) {
        for (Map.Entry<String, Map<String, Long>> t : byTable.entrySet()) {
            for (String op : t.getValue().keySet()) {
                boolean known = expected.byTable().containsKey(t.getKey())
                        && (expected.byTable().get(t.getKey()).containsKey(op)
                                || (op.equals(TOMBSTONE)
                                        && expected.byTable().get(t.getKey()).containsKey("d")));
                if (!known) {
                    throw new IllegalStateException(run + ": " + t.getValue().get(op) + " unexpected records (op " + op
                            + ") in the topic of " + t.getKey());
                }
            }
        }
        for (Map.Entry<String, Map<String, Long>> t : expected.byTable().entrySet()) {
            for (Map.Entry<String, Long> e : t.getValue().entrySet()) {
                check(run, t.getKey(), e.getKey(), e.getValue(), exact);
                if (e.getKey().equals("d")) {
                    check(run, t.getKey(), TOMBSTONE, e.getValue(), exact);
                }
            }
        }
        return total() - expected.records();
    }

    private void check(String run, String table, String op, long want, boolean exact) {
        long got = count(table, op);
        if (got < want || (exact && got != want)) {
            throw new IllegalStateException(String.format(
                    Locale.ROOT,
                    "%s delivered %d records of op %s for %s, expected %s%d",
                    run,
                    got,
                    op,
                    table,
                    exact ? "" : "at least ",
                    want));
        }
    }
}
