package io.pgferry.bench.kafka;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.JsonByteArray;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Debezium's embedded engine with its PostgreSQL connector, writing every record it hands over to Kafka with a
 * {@link KafkaProducer}, as Debezium Server's Kafka sink does: each batch is sent, every record of it awaited
 * (acknowledged by the broker), then marked processed. The producer gets the batch size and linger pgferry's producer
 * uses, and each batch is flushed before it is awaited, so that neither side is measured with worse producer
 * settings than the other. The connector reads an existing slot and publication through
 * pgoutput, with no snapshot and offsets in memory; events are JSON without schemas and numeric as strings, the form
 * pgferry writes by default. Topics are {@code <prefix>.<schema>.<table>}, created on first use with the broker's
 * defaults, as pgferry creates them.
 *
 * <p>Timed from just before the engine is built until the batch that completes the expected number of records is
 * acknowledged; stopping the engine afterwards is not timed.
 */
final class DebeziumRun implements DebeziumEngine.ChangeConsumer<ChangeEvent<byte[], byte[]>>, AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin admin;
    private final Set<String> topics = new HashSet<>();
    private final long expectedRecords;
    private final AtomicLong delivered = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long doneNanos;

    private DebeziumRun(String bootstrap, long expectedRecords) {
        this.expectedRecords = expectedRecords;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG,
                "bench-debezium",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                "true",
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.BATCH_SIZE_CONFIG,
                "524288",
                ProducerConfig.LINGER_MS_CONFIG,
                "20",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class.getName()));
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** The connector's and the engine's settings for the source, slot, publication and topic prefix. */
    static Properties settings(Options options, String bootstrap, String slot, String prefix) {
        URI uri = URI.create(options.source());
        Properties p = new Properties();
        p.setProperty("name", "bench-debezium");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        // Kafka Connect 4.3's worker settings, which the engine builds, require it (no default); with offsets in memory
        // nothing connects to it.
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("topic.prefix", prefix);
        p.setProperty("database.hostname", uri.getHost());
        p.setProperty("database.port", String.valueOf(uri.getPort() < 0 ? 5432 : uri.getPort()));
        String user = "postgres";
        if (uri.getUserInfo() != null) {
            String[] userInfo = uri.getUserInfo().split(":", 2);
            user = userInfo[0];
            if (userInfo.length == 2) {
                p.setProperty("database.password", userInfo[1]);
            }
        }
        p.setProperty("database.user", user);
        p.setProperty("database.dbname", uri.getPath().replaceFirst("^/", ""));
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("publication.name", options.publication());
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("snapshot.mode", "no_data");
        // As pgferry writes events by default: numeric as its exact text, JSON without a schema envelope.
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("converter.schemas.enable", "false");
        options.debeziumProperties().forEach(p::setProperty);
        return p;
    }

    /**
     * Streams the slot into Kafka until {@code expected.records()} records (changes and tombstones) are acknowledged,
     * then stops the engine.
     *
     * @return the wall time in seconds
     */
    static double run(Options options, String bootstrap, String slot, String prefix) throws Exception {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-debezium-engine"));
        try (DebeziumRun run = new DebeziumRun(bootstrap, options.expected().records())) {
            long t0 = System.nanoTime();
            DebeziumEngine<ChangeEvent<byte[], byte[]>> engine = DebeziumEngine.create(JsonByteArray.class)
                    .using(settings(options, bootstrap, slot, prefix))
                    .notifying(run)
                    .using((success, message, error) -> {
                        if (run.doneNanos == 0) {
                            run.failure.compareAndSet(
                                    null,
                                    error != null
                                            ? error
                                            : new IllegalStateException(
                                                    "the engine stopped before the expected records: " + message));
                        }
                        run.done.countDown();
                    })
                    .build();
            try {
                executor.execute(engine);
                if (!run.done.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    throw new TimeoutException(
                            "Debezium delivered " + run.delivered.get() + " of " + run.expectedRecords
                                    + " records within " + options.timeout().toMinutes() + " minutes");
                }
                if (run.doneNanos == 0) {
                    Throwable f = run.failure.get();
                    throw new IllegalStateException("Debezium failed: " + f, f);
                }
                return (run.doneNanos - t0) / 1e9;
            } finally {
                engine.close();
                executor.shutdown();
                if (!executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    executor.shutdownNow();
                }
            }
        }
    }

    @Override
    public void handleBatch(
            List<ChangeEvent<byte[], byte[]>> records, DebeziumEngine.RecordCommitter<ChangeEvent<byte[], byte[]>> c)
            throws InterruptedException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        try {
            for (ChangeEvent<byte[], byte[]> r : records) {
                ensureTopic(r.destination());
                sent.add(producer.send(new ProducerRecord<>(r.destination(), r.key(), r.value())));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (ExecutionException | TimeoutException e) {
            failure.compareAndSet(null, e.getCause() != null ? e.getCause() : e);
            done.countDown();
            throw new IllegalStateException("cannot write to Kafka: " + e.getCause(), e);
        }
        for (ChangeEvent<byte[], byte[]> r : records) {
            c.markProcessed(r);
        }
        c.markBatchFinished();
        if (delivered.addAndGet(records.size()) >= expectedRecords && doneNanos == 0) {
            doneNanos = System.nanoTime();
            done.countDown();
        }
    }

    @Override
    public void close() {
        try {
            producer.close();
        } finally {
            admin.close();
        }
    }

    @Override
    public boolean supportsTombstoneEvents() {
        return true;
    }

    /** Creates the topic with the broker's defaults the first time it is seen (as pgferry does). */
    private void ensureTopic(String topic) throws ExecutionException, InterruptedException, TimeoutException {
        if (topics.contains(topic)) {
            return;
        }
        try {
            admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty())))
                    .all()
                    .get(1, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        topics.add(topic);
    }

    /** Debezium's version, as its PostgreSQL connector reports it. */
    static String version() {
        return io.debezium.connector.postgresql.Module.version();
    }
}
