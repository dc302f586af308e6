package io.pgferry.kafka;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.testkit.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The shared broker as the tests use it: a fresh topic prefix per test (the broker outlives the tests), targets on
 * it, and topics read back from their start, waiting on a condition with a deadline, never a sleep.
 */
final class TestBroker {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private TestBroker() {}

    static String bootstrapServers() {
        return KafkaBroker.shared().bootstrapServers();
    }

    /** The target URI of the shared broker, without options. */
    static String bootstrapServersUri() {
        return "kafka://" + bootstrapServers();
    }

    /** A prefix no other test uses: {@code t<hex>}. */
    static String freshPrefix() {
        byte[] random = new byte[5];
        RANDOM.nextBytes(random);
        return "t" + HexFormat.of().formatHex(random);
    }

    /** A target on the shared broker whose sync name and topic prefix are {@code prefix}. */
    static KafkaTarget.Builder target(String prefix) {
        return KafkaTarget.builder()
                .bootstrapServers(bootstrapServers())
                .topicPrefix(prefix)
                .syncName(prefix)
                .sourceDatabase("sourcedb");
    }

    /** Every record of {@code topic} a consumer with {@code isolation} sees now (none if the topic is missing). */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, String isolation) {
        return KafkaBroker.shared().records(topic, isolation);
    }

    /** The committed records of {@code topic}. */
    static List<ConsumerRecord<byte[], byte[]>> committed(String topic) {
        return readAll(topic, "read_committed");
    }

    /** The committed records of {@code topic} once there are at least {@code n}; fails after a minute. */
    static List<ConsumerRecord<byte[], byte[]>> await(String topic, int n) {
        return await(topic, n, "read_committed");
    }

    /** The records of {@code topic} {@code isolation} shows once there are at least {@code n}. */
    static List<ConsumerRecord<byte[], byte[]>> await(String topic, int n, String isolation) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            List<ConsumerRecord<byte[], byte[]>> records = readAll(topic, isolation);
            if (records.size() >= n) {
                return records;
            }
            if (System.nanoTime() - deadline > 0) {
                fail("topic " + topic + " has " + records.size() + " records, not " + n + ", after " + DEADLINE);
            }
        }
    }

    /** The JSON of a key or value; null for null. */
    static JsonNode json(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
