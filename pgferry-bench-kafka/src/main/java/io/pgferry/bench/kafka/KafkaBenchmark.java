package io.pgferry.bench.kafka;

import io.pgferry.testkit.KafkaBroker;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * Kafka benchmark: the rate at which pgferry and Debezium deliver the same PostgreSQL changes into one Kafka broker,
 * measured in one run on one machine.
 *
 * <p>Three runs, each on its own copy of one logical replication slot (made beforehand with {@code
 * pg_copy_logical_replication_slot}, so every run decodes the same WAL from the same start), each into topics of its
 * own prefix on the same broker:
 *
 * <ol>
 *   <li>{@code pgferry sync --copy-mode none --until-caught-up} with the default exactly-once delivery (a Kafka
 *       transaction per source transaction), a child process timed from its start to its exit, JVM start-up
 *       included;
 *   <li>the same with {@code delivery=at-least-once} (an idempotent producer, no transactions);
 *   <li>Debezium's embedded engine with its PostgreSQL connector (pgoutput, the same publication, no snapshot,
 *       offsets in memory) handing its records to an idempotent {@code acks=all} KafkaProducer, batch by batch as
 *       Debezium Server's Kafka sink does, timed from building the engine until the expected number of records is
 *       acknowledged ({@link DebeziumRun}).
 * </ol>
 *
 * <p>What is measured is wall time and changes per second (change events: inserts, updates, deletes; the tombstone
 * both tools write after each delete is delivered but not counted as a change). After each run every table topic of
 * its prefix is read back from the start with a {@code read_committed} consumer and counted per table and op: each
 * run must have delivered exactly the expected events and a tombstone per delete (the at-least-once runs may repeat
 * some, which is reported), so a fast but incomplete run fails. The ratios are pgferry's rate over Debezium's.
 *
 * <p>With {@code --only connect,connect-debezium,connect-eos,connect-debezium-eos}, the same comparison runs on
 * Kafka Connect: pgferry's source connector against Debezium's PostgreSQL connector on one in-JVM Connect worker, with
 * exactly-once source support off and on ({@link ConnectRun}); each pgferry run is compared with Debezium's of the same
 * kind.
 *
 * <p>The broker is a single-node KRaft broker started in this JVM ({@link KafkaBroker}) unless {@code --bootstrap}
 * names one. The source, the publication and the slots are set up by {@code scripts/bench-kafka.sh}, which runs this.
 * Row values are never read or printed.
 */
public final class KafkaBenchmark {
    private final Options options;
    private final PrintStream out;
    private final PrintStream err;

    /** One run's figures; {@code baseline} the run it is compared with, null for a baseline. */
    private record Result(String run, String name, double seconds, long recordsRead, long repeated, String baseline) {}

    /** Kafka Connect clusters of this run, by whether exactly-once source support is on; started on first use. */
    private final Map<Boolean, EmbeddedConnectCluster> clusters = new HashMap<>();

    private KafkaBenchmark(Options options, PrintStream out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        // Standard output carries the results alone: what libraries print there (the broker's test kit does, while
        // formatting its storage) goes to standard error.
        System.setOut(err);
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.UsageException e) {
            if (!e.getMessage().isEmpty()) {
                err.println("KafkaBenchmark: " + e.getMessage());
            }
            err.print(Options.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        AtomicBoolean ended = new AtomicBoolean();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            if (!ended.get()) {
                                err.println("KafkaBenchmark stopped from outside (a signal) before its end");
                            }
                        },
                        "bench-kafka-stop"));
        try {
            new KafkaBenchmark(options, out, err).run();
        } catch (Exception | Error e) {
            ended.set(true);
            err.println("KafkaBenchmark failed: " + e);
            System.exit(1);
        }
        ended.set(true);
        System.exit(0);
    }

    private void run() throws Exception {
        String broker;
        String bootstrap;
        if (options.bootstrap() != null) {
            bootstrap = options.bootstrap();
            broker = "broker " + bootstrap;
        } else if (options.only().stream().allMatch(r -> r.startsWith("connect"))) {
            bootstrap = null;
            broker = "Kafka Connect's in-JVM cluster (one worker, one KRaft broker)";
        } else {
            err.println("bench-kafka: starting a single-node KRaft broker in this JVM");
            bootstrap = KafkaBroker.shared().bootstrapServers();
            broker = "one KRaft broker in the harness JVM";
        }
        Files.createDirectories(options.logDir());
        // Prefixes of their own for every invocation, so topics of an earlier run on an external broker do not count.
        String id = Long.toString(System.currentTimeMillis() / 1000 % 1_000_000_000L, 36);
        Options.Expected expected = options.expected();
        List<Result> results = new ArrayList<>();
        int total = options.only().size();
        int n = 0;
        for (String runName : Options.RUNS) {
            if (!options.only().contains(runName)) {
                continue;
            }
            n++;
            String prefix;
            String label;
            double seconds;
            String baseline = runName.equals("debezium") || runName.startsWith("connect-debezium") ? null : "debezium";
            String reading = bootstrap;
            switch (runName) {
                case "exactly-once" -> {
                    prefix = "pgf_eos_" + id;
                    label = "pgferry sync, exactly-once";
                    progress(n, total, label);
                    seconds = PgferryRun.run(
                            options,
                            bootstrap,
                            options.slotExactlyOnce(),
                            prefix,
                            false,
                            options.logDir().resolve("pgferry-exactly-once.log"));
                }
                case "at-least-once" -> {
                    prefix = "pgf_alo_" + id;
                    label = "pgferry sync, at-least-once";
                    progress(n, total, label);
                    seconds = PgferryRun.run(
                            options,
                            bootstrap,
                            options.slotAtLeastOnce(),
                            prefix,
                            true,
                            options.logDir().resolve("pgferry-at-least-once.log"));
                }
                case "connect",
                        "connect-json",
                        "connect-debezium",
                        "connect-eos",
                        "connect-json-eos",
                        "connect-debezium-eos" -> {
                    boolean eos = runName.endsWith("eos");
                    boolean dbz = runName.contains("debezium");
                    boolean json = runName.contains("json");
                    prefix = runName.replace('-', '_') + "_" + id;
                    label = (dbz ? "Debezium " + DebeziumRun.version() : "pgferry") + " connector"
                            + (json ? " (record.format=json)" : "") + ", Connect" + (eos ? ", exactly-once" : "");
                    progress(n, total, label);
                    EmbeddedConnectCluster cluster =
                            clusters.computeIfAbsent(eos, e -> ConnectRun.cluster(e, options.workerProperties()));
                    String slot = Options.connectSlot(runName);
                    Map<String, String> config = dbz
                            ? ConnectRun.debezium(options, slot, prefix, eos)
                            : ConnectRun.pgferry(options, slot, prefix, eos, json);
                    seconds = ConnectRun.run(cluster, prefix, config, prefix, expected.records(), options.timeout());
                    reading = cluster.kafka().bootstrapServers();
                    if (!dbz) {
                        baseline = eos ? "connect-debezium-eos" : "connect-debezium";
                    }
                }
                default -> {
                    prefix = "dbz_" + id;
                    label = "Debezium " + DebeziumRun.version() + " embedded + KafkaProducer";
                    progress(n, total, label);
                    seconds = DebeziumRun.run(options, bootstrap, options.slotDebezium(), prefix);
                }
            }
            err.printf(Locale.ROOT, "bench-kafka:   %.2f s; reading topics %s.* back%n", seconds, prefix);
            TopicCounts counts = TopicCounts.read(reading, prefix, options.timeout());
            long repeated = counts.check(expected, runName.equals("exactly-once") || runName.endsWith("eos"), label);
            results.add(new Result(runName, label, seconds, counts.total(), repeated, baseline));
        }

        for (EmbeddedConnectCluster c : clusters.values()) {
            c.stop();
        }
        long changes = expected.changes();
        out.println();
        out.printf(
                Locale.ROOT,
                "Kafka delivery of %d changes (+ %d tombstones = %d records) from one slot position into %s"
                        + " (Kafka %s), %d cores%n",
                changes,
                expected.tombstones(),
                expected.records(),
                broker,
                AppInfoParser.getVersion(),
                Runtime.getRuntime().availableProcessors());
        out.println("seconds: pgferry's whole command (JVM start included), Debezium's engine from build to the last"
                + " record acknowledged; on Kafka Connect, from the connector's creation to its last record read;");
        out.println("ratio = pgferry changes/s / Debezium changes/s (the same kind of run: engine, Connect, Connect"
                + " exactly-once); read back = records in the topics afterwards (read_committed), all checked");
        out.printf(Locale.ROOT, "  %-46s %8s %10s %7s  %s%n", "run", "seconds", "changes/s", "ratio", "read back");
        for (Result r : results) {
            Result base = results.stream()
                    .filter(b -> b.run().equals(r.baseline()))
                    .findFirst()
                    .orElse(null);
            String ratio = r.baseline() == null
                    ? "1.00"
                    : base == null ? "-" : String.format(Locale.ROOT, "%.2f", base.seconds() / r.seconds());
            out.printf(
                    Locale.ROOT,
                    "  %-46s %8.2f %10d %7s  %d%s%n",
                    r.name(),
                    r.seconds(),
                    Math.round(changes / r.seconds()),
                    ratio,
                    r.recordsRead(),
                    r.repeated() > 0 ? " (" + r.repeated() + " repeated)" : " (exact)");
        }
    }

    private void progress(int n, int total, String label) {
        err.printf(Locale.ROOT, "bench-kafka: run %d/%d: %s%n", n, total, label);
    }
}
