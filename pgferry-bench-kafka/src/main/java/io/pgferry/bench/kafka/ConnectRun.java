package io.pgferry.bench.kafka;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * One source connector on Kafka Connect's own in-JVM cluster (one worker, its KRaft broker): pgferry's source
 * connector or Debezium's PostgreSQL connector, each reading its own copy of the same slot with the same converters
 * (JsonConverter without schemas), timed from the connector's creation through the REST API until a {@code
 * read_committed} consumer, started beforehand, has read every expected record of the table topics. The worker enables
 * exactly-once source support or not; with it, pgferry's connector defines the transactions (one per source
 * transaction) and Debezium's gets Connect's default (one per poll). pgferry's connector runs with its default record
 * format (Structs, converted by JsonConverter as Debezium's are) or with {@code record.format=json} (the same bytes,
 * rendered by the connector, through ByteArrayConverter).
 */
final class ConnectRun {
    private ConnectRun() {}

    /**
     * Kafka Connect with one worker, exactly-once source support enabled or not; {@code settings} are more worker
     * settings, the same for every connector on it.
     */
    static EmbeddedConnectCluster cluster(boolean exactlyOnce, Map<String, String> settings, long warmUpRecords)
            throws Exception {
        Map<String, String> worker = new HashMap<>();
        worker.put("exactly.once.source.support", exactlyOnce ? "enabled" : "disabled");
        worker.put("offset.flush.interval.ms", "10000");
        worker.putAll(settings);
        Properties broker = new Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        EmbeddedConnectCluster c = new EmbeddedConnectCluster.Builder()
                .name(exactlyOnce ? "bench-eos" : "bench")
                .numWorkers(1)
                .numBrokers(1)
                .workerProps(worker)
                .brokerProps(broker)
                .maskExitProcedures(true)
                .build();
        c.start();
        warmUp(c, warmUpRecords);
        return c;
    }

    /**
     * Runs {@link WarmUpConnector} with {@code records} records through the converters both connectors use, untimed,
     * and waits until they are read: whichever connector runs first on the cluster then finds Connect's send path,
     * JsonConverter, the producer and the broker compiled, as the one after it does.
     */
    private static void warmUp(EmbeddedConnectCluster c, long records) throws Exception {
        Map<String, String> config = common("warm_up", false);
        config.put("connector.class", WarmUpConnector.class.getName());
        config.put(WarmUpConnector.TOPIC, "warm_up.public.warm");
        config.put(WarmUpConnector.RECORDS, Long.toString(records));
        run(c, "warm_up", config, "warm_up", records, Duration.ofMinutes(10));
    }

    /** pgferry's source connector for {@code slot}, its topics under {@code prefix}. */
    static Map<String, String> pgferry(Options options, String slot, String prefix, boolean exactlyOnce, boolean json) {
        URI uri = URI.create(options.source());
        Map<String, String> c = common(prefix, exactlyOnce);
        c.put("connector.class", "io.pgferry.connect.source.PgferrySourceConnector");
        String user = "postgres";
        if (uri.getUserInfo() != null) {
            String[] userInfo = uri.getUserInfo().split(":", 2);
            user = userInfo[0];
            if (userInfo.length == 2) {
                c.put("source.password", userInfo[1]);
            }
        }
        c.put(
                "source",
                "host=" + uri.getHost() + " port=" + (uri.getPort() < 0 ? 5432 : uri.getPort()) + " dbname="
                        + uri.getPath().replaceFirst("^/", "") + " user=" + user);
        c.put("publication", options.publication());
        c.put("slot", slot);
        c.put("messages", "false");
        if (exactlyOnce) {
            c.put("transaction.boundary", "connector");
        }
        if (json) {
            // The same bytes, rendered by the connector: Connect converts nothing.
            c.put("record.format", "json");
            c.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
            c.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        }
        return c;
    }

    /** Debezium's PostgreSQL connector for {@code slot}, with the settings of its embedded run. */
    static Map<String, String> debezium(Options options, String slot, String prefix, boolean exactlyOnce) {
        Map<String, String> c = common(prefix, exactlyOnce);
        Properties p = DebeziumRun.settings(options, "unused", slot, prefix);
        for (String key : p.stringPropertyNames()) {
            if (!List.of("name", "offset.storage", "bootstrap.servers", "converter.schemas.enable")
                    .contains(key)) {
                c.put(key, p.getProperty(key));
            }
        }
        return c;
    }

    private static Map<String, String> common(String prefix, boolean exactlyOnce) {
        Map<String, String> c = new HashMap<>();
        c.put("tasks.max", "1");
        c.put("topic.prefix", prefix);
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "1");
        c.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("key.converter.schemas.enable", "false");
        c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("value.converter.schemas.enable", "false");
        if (exactlyOnce) {
            c.put("exactly.once.support", "required");
        }
        return c;
    }

    /**
     * Creates the connector and waits until {@code records} records are on the table topics of {@code prefix}; then
     * deletes it.
     *
     * @return the wall time in seconds from the creation to the last record read
     */
    static double run(
            EmbeddedConnectCluster cluster,
            String name,
            Map<String, String> config,
            String prefix,
            long records,
            Duration timeout)
            throws Exception {
        Pattern tables = Pattern.compile(Pattern.quote(prefix) + "\\.[^.]+\\.[^.]+");
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch subscribed = new CountDownLatch(1);
        AtomicLong read = new AtomicLong();
        AtomicLong doneNanos = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread counter = new Thread(
                () -> {
                    Map<String, Object> props = new HashMap<>();
                    props.put(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            cluster.kafka().bootstrapServers());
                    props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-count-" + prefix);
                    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                    props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500");
                    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
                    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
                    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
                    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
                        consumer.subscribe(tables);
                        subscribed.countDown();
                        while (read.get() < records && done.getCount() > 0) {
                            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                                if (read.incrementAndGet() == records) {
                                    doneNanos.set(System.nanoTime());
                                }
                            }
                        }
                    } catch (RuntimeException e) {
                        failure.set(e);
                    } finally {
                        done.countDown();
                    }
                },
                "bench-connect-counter");
        counter.start();
        subscribed.await();
        long t0 = System.nanoTime();
        cluster.configureConnector(name, config);
        if (!done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            done.countDown();
            throw new IllegalStateException(
                    name + ": " + read.get() + " of " + records + " records after " + timeout.toMinutes()
                            + " minutes; task: " + cluster.connectorStatus(name).tasks());
        }
        counter.join();
        if (failure.get() != null) {
            throw new IllegalStateException(name + ": counting the records failed", failure.get());
        }
        cluster.deleteConnector(name);
        return (doneNanos.get() - t0) / 1e9;
    }
}
