package io.pgferry.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * The Kafka broker shared by every test of a JVM, for the Kafka destination: a real single-node KRaft cluster (one
 * process acting as broker and controller) from Apache Kafka's own test kit ({@code kafka-test-common-runtime} on
 * Maven Central), run inside the test JVM on free ports of 127.0.0.1, with its logs under the temporary folder. Started
 * on first use and stopped by a shutdown hook; needs no network service, no download and no privileges.
 *
 * <p>Set up for one node: the internal topics (consumer offsets, transaction state) have replication factor 1 and
 * min ISR 1, so transactions work; few threads, for a 2-core machine. Topics created by tests get the broker's
 * defaults: one partition, replication factor 1.
 *
 * <p>The module that uses it declares {@code org.apache.kafka:kafka-test-common-runtime} as a test dependency: the
 * test kit's dependency on it is optional, so that other modules do not get a broker on their classpath.
 */
public final class KafkaBroker {
    private static KafkaBroker shared;
    private static RuntimeException startFailure;

    private final KafkaClusterTestKit cluster;
    private final Path directory;

    private KafkaBroker(KafkaClusterTestKit cluster, Path directory) {
        this.cluster = cluster;
        this.directory = directory;
    }

    /** The shared broker, started on the first call; a failed start fails every later call fast, with its cause. */
    public static synchronized KafkaBroker shared() {
        if (shared != null) {
            return shared;
        }
        if (startFailure != null) {
            throw new IllegalStateException(
                    "Kafka failed to start earlier: " + startFailure.getMessage(), startFailure);
        }
        try {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "pgferry-kafka-shutdown"));
            return shared;
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
    }

    /**
     * Every record of {@code topic} a consumer with {@code isolation} ({@code read_committed} or {@code
     * read_uncommitted}) sees now, read from the start to the end offsets of this moment; none if the topic does not
     * exist. Fails after a minute.
     */
    public List<ConsumerRecord<byte[], byte[]>> records(String topic, String isolation) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        try {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                return List.of();
            }
            List<TopicPartition> parts = infos.stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("could not read " + topic + " to its end within a minute");
                }
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            return out;
        } finally {
            // No group: a close that waited would wait for the fetch sent ahead, held by the broker up to 500 ms.
            c.close(CloseOptions.timeout(Duration.ZERO));
        }
    }

    /** {@code host:port} of the broker's plaintext listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The folder of the broker's logs and metadata, for diagnosing a failed test. */
    public Path directory() {
        return directory;
    }

    /** Broker settings for one node on a small machine; everything else is Kafka's default. */
    private static final Map<String, String> SETTINGS = Map.ofEntries(
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("offsets.topic.num.partitions", "1"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("transaction.state.log.num.partitions", "1"),
            Map.entry("min.insync.replicas", "1"),
            Map.entry("default.replication.factor", "1"),
            Map.entry("num.partitions", "1"),
            // Consumer groups of tests start at once rather than after the 3 s default.
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            Map.entry("num.network.threads", "2"),
            Map.entry("num.io.threads", "2"),
            Map.entry("background.threads", "2"),
            Map.entry("log.cleaner.threads", "1"),
            Map.entry("num.recovery.threads.per.data.dir", "1"),
            Map.entry("num.replica.fetchers", "1"),
            // Tests create the topics they need; a mistyped name must fail rather than create a topic.
            Map.entry("auto.create.topics.enable", "false"),
            // Compacted topics (the sink's offsets) are cleaned in tests too, so compaction is exercised.
            Map.entry("log.cleaner.backoff.ms", "1000"));

    private static KafkaBroker start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("pgferry-kafka-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the Kafka broker's folder: " + e.getMessage(), e);
        }
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(dir)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(true);
            SETTINGS.forEach(builder::setConfigProp);
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaBroker(cluster, dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(cluster);
            throw new IllegalStateException("interrupted while starting Kafka", e);
        } catch (Exception e) {
            closeQuietly(cluster);
            throw new IllegalStateException("cannot start Kafka: " + e + "; see " + dir, e);
        }
    }

    private void stop() {
        closeQuietly(cluster);
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            // at exit: the JVM ends the broker's threads anyway, and its folder is in the temporary folder
        }
    }
}
