package io.pgferry.bench.kafka;

import io.pgferry.testkit.KafkaBroker;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
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
 *       Debezium Server's Kafka sink does, in a child JVM timed from its start until the expected number of records
 *       is acknowledged, JVM start-up included as in pgferry's runs ({@link DebeziumRun}).
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
 * <p>With {@code --rounds N} every run is made N times, even rounds in reverse order and each run on a slot copy of
 * its own, and the figures are the means: on Kafka Connect the order of the runs moved each tool's time by up to a
 * factor of two, whichever ran first being the slower.
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

    /** Records of the untimed run that warms each Connect cluster up (fewer if the runs have fewer). */
    private static final long WARM_UP_RECORDS = 400_000;

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
        List<String> order =
                Options.RUNS.stream().filter(options.only()::contains).toList();
        List<Result> results = new ArrayList<>();
        int total = order.size() * options.rounds();
        int n = 0;
        for (int round = 1; round <= options.rounds(); round++) {
            // Odd rounds in the usual order, even ones reversed: what the first run of a round pays (or the one after
            // it gains) falls on each tool in turn.
            List<String> runs = new ArrayList<>(order);
            if (round % 2 == 0) {
                Collections.reverse(runs);
            }
            for (String runName : runs) {
                results.add(runOnce(runName, round, ++n, total, id, bootstrap));
            }
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
        boolean onConnect = order.stream().anyMatch(r -> r.startsWith("connect"));
        boolean direct = order.stream().anyMatch(r -> !r.startsWith("connect"));
        out.println("seconds: "
                + (direct
                        ? "pgferry's whole command, Debezium's JVM from its start to the last record acknowledged"
                                + " (both a new JVM each run)" + (onConnect ? "; " : ";")
                        : "")
                + (onConnect ? "on Kafka Connect, from the connector's creation to its last record read;" : ""));
        out.println("ratio = pgferry changes/s / Debezium changes/s (the same kind of run: engine, Connect, Connect"
                + " exactly-once); read back = records in the topics afterwards (read_committed), all checked");
        if (options.rounds() > 1) {
            out.println(
                    "seconds: the mean of the rounds (each run's own in brackets; even rounds ran in reverse order)");
        }
        out.printf(Locale.ROOT, "  %-60s %8s %10s %7s  %s%n", "run", "seconds", "changes/s", "ratio", "read back");
        for (String run : order) {
            List<Result> mine = of(results, run);
            Result first = mine.get(0);
            double seconds = mean(mine);
            List<Result> base = of(results, first.baseline());
            String ratio = first.baseline() == null
                    ? "1.00"
                    : base.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", mean(base) / seconds);
            long repeated = mine.stream().mapToLong(Result::repeated).sum();
            StringBuilder each = new StringBuilder();
            for (Result r : mine) {
                each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", r.seconds()));
            }
            out.printf(
                    Locale.ROOT,
                    "  %-60s %8.2f %10d %7s  %d%s%s%n",
                    first.name(),
                    seconds,
                    Math.round(changes / seconds),
                    ratio,
                    first.recordsRead(),
                    repeated > 0 ? " (" + repeated + " repeated)" : " (exact)",
                    mine.size() > 1 ? "  [" + each + "]" : "");
        }
    }

    private static List<Result> of(List<Result> results, String run) {
        return results.stream().filter(r -> r.run().equals(run)).toList();
    }

    private static double mean(List<Result> results) {
        return results.stream().mapToDouble(Result::seconds).average().orElseThrow();
    }

    /** Run {@code runName} of round {@code round}, the {@code n}th of {@code total}: its figures, read back. */
    private Result runOnce(String runName, int round, int n, int total, String id, String bootstrap) throws Exception {
        Options.Expected expected = options.expected();
        String suffix = round == 1 ? "" : "_r" + round;
        String prefix;
        String label;
        double seconds;
        String baseline = runName.equals("debezium") || runName.startsWith("connect-debezium") ? null : "debezium";
        String reading = bootstrap;
        switch (runName) {
            case "exactly-once", "at-least-once" -> {
                boolean eos = runName.equals("exactly-once");
                prefix = (eos ? "pgf_eos_" : "pgf_alo_") + id + suffix;
                label = "pgferry sync, " + runName;
                progress(n, total, label);
                seconds = PgferryRun.run(
                        options,
                        bootstrap,
                        Options.inRound(eos ? options.slotExactlyOnce() : options.slotAtLeastOnce(), round),
                        prefix,
                        !eos,
                        options.logDir().resolve("pgferry-" + runName + suffix + ".log"));
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
                prefix = runName.replace('-', '_') + "_" + id + suffix;
                label = (dbz ? "Debezium " + DebeziumRun.version() : "pgferry") + " connector"
                        + (json ? " (record.format=json)" : "") + ", Connect" + (eos ? ", exactly-once" : "");
                progress(n, total, label);
                EmbeddedConnectCluster cluster = connect(eos);
                String slot = Options.inRound(Options.connectSlot(runName), round);
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
                prefix = "dbz_" + id + suffix;
                label = "Debezium " + DebeziumRun.version() + " embedded + KafkaProducer";
                progress(n, total, label);
                seconds = DebeziumRun.run(
                        options,
                        bootstrap,
                        Options.inRound(options.slotDebezium(), round),
                        prefix,
                        options.logDir().resolve("debezium" + suffix + ".log"));
            }
        }
        err.printf(Locale.ROOT, "bench-kafka:   %.2f s; reading topics %s.* back%n", seconds, prefix);
        TopicCounts counts = TopicCounts.read(reading, prefix, options.timeout());
        long repeated = counts.check(expected, runName.equals("exactly-once") || runName.endsWith("eos"), label);
        return new Result(runName, label, seconds, counts.total(), repeated, baseline);
    }

    /**
     * The Connect cluster with exactly-once source support on or off, started and warmed up on first use (see {@link
     * ConnectRun#cluster}).
     */
    private EmbeddedConnectCluster connect(boolean eos) throws Exception {
        EmbeddedConnectCluster cluster = clusters.get(eos);
        if (cluster == null) {
            long warmUp = Math.min(options.expected().records(), WARM_UP_RECORDS);
            err.printf(
                    Locale.ROOT,
                    "bench-kafka: starting Kafka Connect (exactly-once source support %s), warming it up with %d"
                            + " records%n",
                    eos ? "on" : "off",
                    warmUp);
            cluster = ConnectRun.cluster(eos, options.workerProperties(), warmUp);
            clusters.put(eos, cluster);
        }
        return cluster;
    }

    private void progress(int n, int total, String label) {
        err.printf(Locale.ROOT, "bench-kafka: run %d/%d: %s%n", n, total, label);
    }
}
