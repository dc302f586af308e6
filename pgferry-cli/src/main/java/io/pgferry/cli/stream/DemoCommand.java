package io.pgferry.cli.stream;

import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.json.JsonLinesHandler;
import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.CheckpointStore;
import io.pgferry.embedded.EmbeddedPostgres;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.StreamStats;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pgferry demo}: a PostgreSQL of its own, a small shop schema, a short workload, and the changes arriving live
 * as JSON lines, with a summary at the end. Needs nothing installed.
 */
@Command(
        name = "demo",
        description = "Start an embedded PostgreSQL, run a small workload and show its changes arriving live.",
        mixinStandardHelpOptions = true)
public final class DemoCommand extends PgferryCommand {
    @Option(names = "--keep-running", description = "After the workload, keep streaming until Ctrl-C.")
    boolean keepRunning;

    @Option(
            names = "--orders",
            paramLabel = "N",
            defaultValue = "20",
            description = "Orders the workload places (default: ${DEFAULT-VALUE}).")
    int orders;

    @Override
    protected int run() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("pgferry demo: starting an embedded PostgreSQL (first run unpacks it, a few seconds)...");
        err.flush();
        long started = System.nanoTime();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().fsync(false).start()) {
            String uri = pg.uri("postgres");
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.jdbcProperties())) {
                DemoWorkload.createSchema(c);
                err.printf(
                        Locale.ROOT,
                        "pgferry demo: PostgreSQL %d on %s:%d; schema shop with 3 customers%n",
                        pg.majorVersion(),
                        pg.host(),
                        pg.port());
                StreamConfig config = StreamConfig.builder()
                        .source(uri)
                        .publication("demo_pub")
                        .slot("demo_slot")
                        // Each demo runs on a new embedded cluster: nothing to resume, so no checkpoint file.
                        .checkpointStore(CheckpointStore.inMemory())
                        .tables("shop.customers", "shop.orders")
                        .snapshot(true)
                        .heartbeatInterval(Duration.ofMillis(250))
                        .build();
                try (JsonLinesHandler out = JsonLinesHandler.toStream(
                                new FileOutputStream(FileDescriptor.out),
                                Duration.ofMillis(100).toNanos());
                        ChangeStream stream = ChangeStream.create(config, out)) {
                    stream.start();
                    err.println("pgferry demo: streaming; the existing rows arrive first as op \"read\"");
                    err.flush();
                    Lsn end = DemoWorkload.run(c, orders);
                    awaitAcknowledged(stream, end);
                    if (keepRunning) {
                        err.printf(
                                Locale.ROOT,
                                "pgferry demo: still streaming. Connect with: psql '%s'%n"
                                        + "pgferry demo: change shop.customers or shop.orders and watch; Ctrl-C ends.%n",
                                uri);
                        err.flush();
                        CountDownLatch interrupted = new CountDownLatch(1);
                        Runtime.getRuntime().addShutdownHook(new Thread(interrupted::countDown));
                        interrupted.await();
                    }
                    stream.stop();
                    StreamStats s = stream.stats();
                    err.printf(
                            Locale.ROOT,
                            "pgferry demo: done in %.1f s: %d transactions, %d changes, slot confirmed up to %s%n",
                            (System.nanoTime() - started) / 1e9,
                            s.transactions(),
                            out.changes(),
                            s.confirmed());
                }
            }
        } catch (SQLException | IOException e) {
            throw PgFerryException.fatal("demo failed: " + e.getMessage(), "run again with --verbose and report it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCodes.OK;
    }

    /** Waits until the stream acknowledged everything up to {@code end}, or fails after a minute. */
    private static void awaitAcknowledged(ChangeStream stream, Lsn end) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (stream.acknowledgedLsn().isBefore(end)) {
            if (stream.lastError() != null) {
                throw PgFerryException.fatal(
                        "the stream stopped: " + stream.lastError().getMessage(), "run again with --verbose");
            }
            if (System.nanoTime() > deadline) {
                throw PgFerryException.fatal("the changes did not arrive within a minute", "run again with --verbose");
            }
            // The stream offers no completion event for an arbitrary position; its termination latch doubles as
            // a bounded wait between checks.
            stream.awaitTermination(Duration.ofMillis(20));
        }
    }

    static Lsn currentLsn(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }
}
