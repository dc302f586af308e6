package io.pgferry.bench.kafka;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.JsonByteArray;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
 * <p>The engine runs in a JVM of its own, started for the run as each pgferry run is: in the harness's JVM, which its
 * broker and the runs before had warmed up, Debezium's second run of a round was 27 % faster than its first (32.75 s,
 * then 23.94 s), a gain pgferry's runs, each a new process, never had. Timed from just before the child JVM starts
 * until it reports that the batch completing the expected number of records is acknowledged; stopping the engine
 * afterwards is not timed.
 */
final class DebeziumRun implements DebeziumEngine.ChangeConsumer<ChangeEvent<byte[], byte[]>>, AutoCloseable {
    /** What the child prints on standard output, alone on a line, once the last record is acknowledged. */
    private static final String DELIVERED = "delivered";

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
     * in a child JVM (the {@link #main} of this class) that gets this JVM's options; its log goes to {@code log}.
     *
     * @return the wall time in seconds, from before the child starts until it reports the last record acknowledged
     */
    static double run(Options options, String bootstrap, String slot, String prefix, Path log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // A recording or an agent of the harness's would write to the same files from two JVMs.
            if (!arg.startsWith("-XX:StartFlightRecording")
                    && !arg.startsWith("-agent")
                    && !arg.startsWith("-javaagent")) {
                command.add(arg);
            }
        }
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                DebeziumRun.class.getName(),
                bootstrap,
                Long.toString(options.expected().records()),
                Long.toString(options.timeout().toSeconds())));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        Thread reaper = new Thread(p::destroyForcibly, "bench-kafka-debezium-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            try (OutputStream in = p.getOutputStream()) {
                // On standard input rather than the command line: the settings may hold the source's password.
                settings(options, bootstrap, slot, prefix).store(in, null);
            }
            String line;
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                line = out.readLine();
            }
            long t1 = System.nanoTime();
            if (!p.waitFor(options.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("Debezium's JVM did not stop within "
                        + options.timeout().toMinutes() + " minutes of its last record; killed it (see " + log + ")");
            }
            if (!DELIVERED.equals(line) || p.exitValue() != 0) {
                throw new IOException("Debezium's JVM exited with " + p.exitValue() + ":\n" + PgferryRun.tail(log));
            }
            return (t1 - t0) / 1e9;
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor();
            }
            Runtime.getRuntime().removeShutdownHook(reaper);
        }
    }

    /**
     * The child JVM of {@link #run}: {@code BOOTSTRAP RECORDS TIMEOUT_SECONDS}, the engine's settings on standard input
     * (as {@link Properties#store}). Prints {@link #DELIVERED} once the records are acknowledged, then stops the engine
     * and exits 0; exits 1 with the cause on standard error otherwise.
     */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        // Standard output carries the one line the harness waits for; what libraries print goes to standard error.
        System.setOut(System.err);
        try {
            Properties settings = new Properties();
            settings.load(System.in);
            deliver(settings, args[0], Long.parseLong(args[1]), Duration.ofSeconds(Long.parseLong(args[2])), out);
        } catch (Exception | Error e) {
            System.err.println("Debezium run failed: " + e);
            System.exit(1);
        }
        System.exit(0);
    }

    private static void deliver(
            Properties settings, String bootstrap, long expectedRecords, Duration timeout, PrintStream out)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-debezium-engine"));
        try (DebeziumRun run = new DebeziumRun(bootstrap, expectedRecords)) {
            DebeziumEngine<ChangeEvent<byte[], byte[]>> engine = DebeziumEngine.create(JsonByteArray.class)
                    .using(settings)
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
                    throw new TimeoutException("Debezium delivered " + run.delivered.get() + " of "
                            + run.expectedRecords + " records within " + timeout.toMinutes() + " minutes");
                }
                if (run.doneNanos == 0) {
                    Throwable f = run.failure.get();
                    throw new IllegalStateException("Debezium failed: " + f, f);
                }
                out.println(DELIVERED);
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
