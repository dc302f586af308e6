package io.pgferry.bench;

import io.pgferry.core.Lsn;
import io.pgferry.embedded.EmbeddedPostgres;
import io.pgferry.postgres.connect.Dsn;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * End-to-end benchmark: the same WAL streamed by pg_recvlogical, the pgferry library and the pgferry CLI.
 *
 * <p>For each scenario a template slot is created just before the load, so it decodes exactly that load; every
 * run then streams a fresh copy of it (pg_copy_logical_replication_slot), so all consumers read the same WAL from
 * the same start. Scenario A is one transaction of 1,000,000 rows (with the default logical_decoding_work_mem the
 * server streams it while in progress), B is 1,000 transactions of 1,000 rows; {@code --big} adds C, 10,000,000 rows
 * in one transaction with the consumers limited to a 256 MB heap. Every slot, the publication and the table are
 * dropped at the end, also after a failure. Run by {@code scripts/bench-stream.sh}.
 */
public final class StreamBenchmark {
    private static final String EMBEDDED_DATABASE = "postgres";

    private final BenchOptions options;
    private final PrintStream out;
    private final PrintStream err;

    private StreamBenchmark(BenchOptions options, PrintStream out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchOptions.UsageException e) {
            if (!e.getMessage().isEmpty()) {
                err.println("StreamBenchmark: " + e.getMessage());
            }
            err.println(BenchOptions.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        try {
            new StreamBenchmark(options, out, err).run();
        } catch (Exception e) {
            err.println("StreamBenchmark failed: " + Dsn.maskSecretsIn(String.valueOf(e.getMessage())));
            System.exit(1);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        if (options.source() != null) {
            measure(options.source());
            return;
        }
        err.println("starting an embedded PostgreSQL (fsync off)");
        // A larger max_wal_size keeps checkpoints out of the loads; it changes nothing for decoding.
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .fsync(false)
                .setting("max_wal_size", "8GB")
                .start()) {
            measure(pg.uri(EMBEDDED_DATABASE));
        }
    }

    private void measure(String dsnText) throws Exception {
        Dsn dsn = Dsn.parse(dsnText);
        try (BenchDatabase db = BenchDatabase.open(dsn)) {
            int protocol = Target.protocolFor(db.serverVersionNum());
            Target target = new Target(dsn, dsnText, BenchDatabase.PUBLICATION, protocol);
            err.printf(
                    Locale.ROOT,
                    "PostgreSQL %s, pgoutput protocol %d, %s, %d cores, Java %s%n",
                    db.serverVersion(),
                    protocol,
                    recvlogicalVersion(),
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            // With an embedded server everything goes away with it; a server of the user's must get its slots back.
            Thread hook = new Thread(db::dropLeftovers, "bench-cleanup");
            if (options.source() != null) {
                Runtime.getRuntime().addShutdownHook(hook);
            }
            try {
                run(db, target);
            } finally {
                if (options.source() != null) {
                    Runtime.getRuntime().removeShutdownHook(hook);
                }
            }
        }
    }

    /** Scenarios A and B with every consumer, the table, then C if asked for. */
    private void run(BenchDatabase db, Target target) throws Exception {
        db.createSchema();
        List<StreamConsumer> consumers = new java.util.ArrayList<>(List.of(
                new RecvLogicalConsumer(target, options.recvlogical(), options.timeout()),
                new LibraryConsumer(target, options.timeout()),
                new CliConsumer(target, options.launcher(), options.cliJar(), null, options.timeout())));
        if (options.metrics()) {
            consumers.add(new CliConsumer(target, options.launcher(), options.cliJar(), null, options.timeout(), true));
        }
        ResultTable table = new ResultTable();
        long nextId = 1;
        if (options.bigOnly()) {
            new BigScenario(db, target, options, out, err).run(nextId);
            return;
        }
        for (Scenario s : List.of(Scenario.ONE_BIG, Scenario.MANY_SMALL)) {
            Lsn end = loadScenario(db, s, nextId);
            nextId += s.rows();
            for (int rep = 1; rep <= options.repetitions(); rep++) {
                for (StreamConsumer c : rotated(consumers, rep)) {
                    table.add(s, c.name(), measureOnce(db, s, c, rep, end));
                }
            }
            db.dropSlot(BenchDatabase.templateSlot(s));
        }
        out.println();
        out.printf(
                Locale.ROOT,
                "Median of %d runs; ratio = rows/s relative to pg_recvlogical (1.00 = as fast, higher = faster)%n",
                options.repetitions());
        out.print(table.render());
        if (options.metrics()) {
            for (Scenario s : List.of(Scenario.ONE_BIG, Scenario.MANY_SMALL)) {
                double ratio = table.medianSeconds(s, "pgferry CLI") / table.medianSeconds(s, CliConsumer.HTTP_NAME);
                out.printf(
                        Locale.ROOT,
                        "%s: CLI with --http (scraped every second) at %.3f of the CLI without (target >= 0.97: %s)%n",
                        s.label(),
                        ratio,
                        ratio >= 0.97 ? "met" : "missed");
            }
        }
        if (options.big()) {
            new BigScenario(db, target, options, out, err).run(nextId);
        }
    }

    /**
     * The consumers in the order of repetition {@code rep} (from 1): each repetition starts one consumer later, so
     * that none is always first after a load or always follows the same one.
     */
    static <T> List<T> rotated(List<T> consumers, int rep) {
        int shift = (rep - 1) % consumers.size();
        List<T> order = new java.util.ArrayList<>(consumers.subList(shift, consumers.size()));
        order.addAll(consumers.subList(0, shift));
        return order;
    }

    /** Creates the scenario's template slot, then loads it; returns the WAL position after the last commit. */
    private Lsn loadScenario(BenchDatabase db, Scenario s, long firstId) throws Exception {
        db.createTemplateSlot(s);
        err.printf(Locale.ROOT, "loading %s ...%n", s.label());
        long t0 = System.nanoTime();
        Lsn end = db.load(firstId, s.transactions(), s.rowsPerTransaction());
        err.printf(Locale.ROOT, "loaded in %.1f s, WAL end %s%n", (System.nanoTime() - t0) / 1e9, end);
        return end;
    }

    /** One run of one consumer on a fresh copy of the scenario's template slot, checked for the row count. */
    private Measurement measureOnce(BenchDatabase db, Scenario s, StreamConsumer c, int rep, Lsn end) throws Exception {
        String slot = db.copySlot(BenchDatabase.templateSlot(s));
        Measurement m;
        try {
            m = c.run(slot, end);
        } finally {
            db.dropSlot(slot);
        }
        err.printf(
                Locale.ROOT,
                "[%s %d/%d] %-16s %8.3f s %s%n",
                s.id().toUpperCase(Locale.ROOT),
                rep,
                options.repetitions(),
                c.name(),
                m.seconds(),
                m.rows() < 0 ? "" : String.format(Locale.ROOT, "%,d rows", m.rows()));
        if (m.rows() >= 0 && m.rows() != s.rows()) {
            throw new IllegalStateException(String.format(
                    Locale.ROOT, "%s delivered %,d rows of %s, expected %,d", c.name(), m.rows(), s.label(), s.rows()));
        }
        return m;
    }

    private String recvlogicalVersion() throws IOException, InterruptedException {
        ChildProcess.Result r =
                ChildProcess.run(List.of(options.recvlogical(), "--version"), Map.of(), options.timeout(), true);
        return r.stdout().strip();
    }
}
