package io.pgferry.cli.verify;

import io.pgferry.cli.command.ControlPlaneOption;
import io.pgferry.cli.command.DsnArguments;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.HttpOption;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.config.DurationConverter;
import io.pgferry.cli.ops.Signals;
import io.pgferry.core.PgFerryException;
import io.pgferry.metrics.MetricsServer;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.verify.guard.GuardErrors;
import io.pgferry.verify.guard.GuardSchema;
import io.pgferry.verify.guard.GuardWorker;
import io.pgferry.verify.guard.Registrations;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pgferry guard}: the syncguard objects in a database (install, upgrade, uninstall), table registration, the
 * worker that keeps bucket hashes current, and its status.
 */
@Command(
        name = "guard",
        description = "Install syncguard, register tables and run the worker that keeps their bucket hashes current.",
        mixinStandardHelpOptions = true,
        subcommands = {
            GuardCommand.Install.class,
            GuardCommand.Upgrade.class,
            GuardCommand.Uninstall.class,
            GuardCommand.Register.class,
            GuardCommand.Unregister.class,
            GuardCommand.Run.class,
            GuardCommand.Status.class,
        })
public final class GuardCommand extends PgferryCommand {
    @Override
    protected int run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** A guard subcommand on one database: {@code --dsn DSN} (or {@code PGFERRY_DSN}). */
    abstract static class OnDatabase extends PgferryCommand {
        @Option(
                names = "--dsn",
                paramLabel = "DSN",
                description = "The database: postgresql://user@host:5432/db or 'host=... dbname=...' ($PGFERRY_DSN).")
        String dsn;

        Dsn database() {
            return DsnArguments.required(spec.commandLine(), dsn, "--dsn");
        }

        @Override
        protected final int run() {
            Dsn d = database();
            validate();
            try (Connection c = Connections.open(d)) {
                return run(c, d);
            } catch (SQLException e) {
                throw Connections.classify(e, d);
            }
        }

        /** Checks the other options before connecting; throws {@link ConfigurationError}. */
        void validate() {}

        abstract int run(Connection c, Dsn d) throws SQLException;
    }

    @Command(
            name = "install",
            description = "Create the syncguard schema in a database.",
            mixinStandardHelpOptions = true)
    static final class Install extends OnDatabase {
        @Override
        int run(Connection c, Dsn d) throws SQLException {
            if (GuardSchema.install(c)) {
                out().printf(Locale.ROOT, "syncguard %d installed in %s%n", GuardSchema.CURRENT_VERSION, d.dbname());
            } else {
                out().printf(
                                Locale.ROOT,
                                "syncguard %d is installed in %s already: nothing to do%n",
                                GuardSchema.CURRENT_VERSION,
                                d.dbname());
            }
            for (String publication : GuardSchema.allTablesPublications(c)) {
                spec.commandLine()
                        .getErr()
                        .printf(
                                Locale.ROOT,
                                "pgferry: warning: publication %s is FOR ALL TABLES, so it also publishes"
                                        + " syncguard.monitored_tables; publish your tables by name or schema instead%n",
                                publication);
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "upgrade",
            description = "Bring an older syncguard schema to this release's version, in place.",
            mixinStandardHelpOptions = true)
    static final class Upgrade extends OnDatabase {
        @Override
        int run(Connection c, Dsn d) throws SQLException {
            int from = GuardSchema.upgrade(c);
            out().printf(
                            Locale.ROOT,
                            from == GuardSchema.CURRENT_VERSION
                                    ? "syncguard %2$d in %3$s is current%n"
                                    : "syncguard in %3$s upgraded from %1$d to %2$d%n",
                            from,
                            GuardSchema.CURRENT_VERSION,
                            d.dbname());
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "uninstall",
            description = "Remove the syncguard schema and the triggers of every registered table.",
            mixinStandardHelpOptions = true)
    static final class Uninstall extends OnDatabase {
        @Override
        int run(Connection c, Dsn d) throws SQLException {
            boolean removed = GuardSchema.uninstall(c);
            out().printf(
                            Locale.ROOT,
                            removed ? "syncguard removed from %s%n" : "syncguard is not installed in %s%n",
                            d.dbname());
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "register",
            description = "Track a table's buckets: any primary key; the same arguments on both sides give the same"
                    + " bucket layout.",
            mixinStandardHelpOptions = true)
    static final class Register extends OnDatabase {
        @Option(
                names = "--table",
                required = true,
                paramLabel = "S.T",
                description = "Table(s), repeatable or comma-separated.")
        List<String> tables = new ArrayList<>();

        @Option(
                names = "--bucket-size",
                paramLabel = "N",
                description = "Keys per bucket for a single integer key (default 1000).")
        Long bucketSize;

        @Option(
                names = "--bucket-count",
                paramLabel = "N",
                description = "Hash buckets for any other key: uuid, text, composite (default 1024).")
        Integer bucketCount;

        private List<TableName> names;

        @Override
        void validate() {
            names = DsnArguments.tables(spec.commandLine(), tables);
            if (bucketSize != null && bucketSize <= 0 || bucketCount != null && bucketCount <= 0) {
                throw configurationError(PgFerryException.fatal(
                        "--bucket-size and --bucket-count must be positive", "give a number of 1 or more"));
            }
        }

        @Override
        int run(Connection c, Dsn d) throws SQLException {
            c.setAutoCommit(false);
            try {
                for (TableName t : names) {
                    Registrations.register(c, t.schema(), t.name(), bucketSize, bucketCount);
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw guardError(e, d);
            }
            for (TableName t : names) {
                out().printf(Locale.ROOT, "registered %s in %s%n", t, d.dbname());
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "unregister",
            description = "Stop tracking a table: drops its triggers and catalog rows.",
            mixinStandardHelpOptions = true)
    static final class Unregister extends OnDatabase {
        @Option(
                names = "--table",
                required = true,
                paramLabel = "S.T",
                description = "Table(s), repeatable or comma-separated.")
        List<String> tables = new ArrayList<>();

        private List<TableName> names;

        @Override
        void validate() {
            names = DsnArguments.tables(spec.commandLine(), tables);
        }

        @Override
        int run(Connection c, Dsn d) throws SQLException {
            for (TableName t : names) {
                try {
                    boolean done = Registrations.unregister(c, t.schema(), t.name());
                    out().printf(Locale.ROOT, done ? "unregistered %s%n" : "%s was not registered%n", t);
                } catch (SQLException e) {
                    throw guardError(e, d);
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "status",
            description = "Registered tables: buckets, rows, dirty buckets and the oldest unrecomputed change.",
            mixinStandardHelpOptions = true)
    static final class Status extends OnDatabase {
        @Override
        int run(Connection c, Dsn d) throws SQLException {
            if (GuardSchema.installedVersion(c).isEmpty()) {
                throw PgFerryException.fatal(
                        "syncguard is not installed in " + d.dbname(), "run pgferry guard install first");
            }
            List<Registrations.TableState> states = Registrations.states(c);
            out().printf(
                            Locale.ROOT,
                            "syncguard %d in %s, %d live worker(s)%n",
                            GuardSchema.installedVersion(c).getAsInt(),
                            d.dbname(),
                            Registrations.liveWorkers(c, 10));
            Instant now = Instant.now();
            for (Registrations.TableState t : states) {
                out().printf(
                                Locale.ROOT,
                                "  %s: %s; %,d buckets, %,d rows; %s; %s%n",
                                new TableName(t.schema(), t.table()),
                                t.layout(),
                                t.buckets(),
                                t.rows(),
                                t.sweptAt() == null ? "initial sweep pending" : "swept",
                                t.dirtyBuckets() == 0
                                        ? "no dirty bucket"
                                        : String.format(
                                                Locale.ROOT,
                                                "%,d dirty, oldest %.1f s",
                                                t.dirtyBuckets(),
                                                Duration.between(t.oldestDirty(), now)
                                                                .toMillis()
                                                        / 1000.0));
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "run",
            description = "The worker: sweep registered tables, then recompute dirty buckets as they come, until"
                    + " stopped. Several workers may share a database.",
            mixinStandardHelpOptions = true)
    static final class Run extends PgferryCommand {
        @Option(
                names = "--dsn",
                paramLabel = "DSN",
                // Split only before a URI: a DSN itself may hold commas (several hosts).
                split = ",(?=postgres(?:ql)?://)",
                splitSynopsisLabel = ",",
                description = "A database to serve; repeat for several, or give URIs separated by commas"
                        + " ($PGFERRY_DSN).")
        List<String> dsns = new ArrayList<>();

        @Option(
                names = "--once",
                description = "Recompute every bucket dirty at start (and sweep what needs it), then exit.")
        boolean once;

        @Option(
                names = "--naptime",
                paramLabel = "DURATION",
                converter = DurationConverter.class,
                defaultValue = "50ms",
                description = "Pause when there is nothing to do (default: ${DEFAULT-VALUE}).")
        Duration naptime;

        @Option(
                names = "--jobs",
                paramLabel = "N",
                description = "Connections a sweep of a large table reads with at once, per database (default: the"
                        + " number of processors).")
        Integer jobs;

        @Option(
                names = "--control-dsn",
                paramLabel = "DSN",
                description = "Where pgferry verify records its runs, for the verification metrics of --http"
                        + " (default: the SQLite control plane in the state directory, when it exists).")
        String controlDsn;

        @Mixin
        HttpOption http;

        @Override
        protected int run() {
            int j = jobs == null ? GuardWorker.DEFAULT_JOBS : jobs;
            if (j < 1) {
                throw configurationError(PgFerryException.fatal("--jobs must be 1 or more", "e.g. --jobs 4"));
            }
            List<Dsn> databases = new ArrayList<>();
            if (dsns.isEmpty()) {
                dsns.add(null);
            }
            for (String d : dsns) {
                databases.add(DsnArguments.required(spec.commandLine(), d, "--dsn"));
            }
            if (once) {
                long start = System.nanoTime();
                GuardWorker.Totals t = GuardWorker.drain(databases, j);
                out().printf(
                                Locale.ROOT,
                                "pgferry guard: %d table(s) swept, %,d bucket(s) recomputed in %.2f s%n",
                                t.tablesSwept(),
                                t.bucketsRecomputed(),
                                (System.nanoTime() - start) / 1e9);
                return ExitCodes.OK;
            }
            GuardWorker worker = new GuardWorker(databases, naptime, j);
            boolean hasControl = controlDsn != null || java.nio.file.Files.exists(ControlPlaneOption.defaultFile());
            GuardMeters meters = new GuardMeters(
                    databases,
                    hasControl ? () -> ControlPlaneOption.open(spec.commandLine(), controlDsn) : null,
                    Duration.ofSeconds(5));
            worker.start();
            MetricsServer server =
                    http.start(meters::refresh, worker::notReadyBecause, meters::statusJson, meters::refresh);
            Signals signals =
                    Signals.install(worker::close, null, spec.commandLine().getErr());
            try {
                worker.awaitFailure();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                signals.close();
                if (server != null) {
                    server.close();
                }
                meters.close();
                worker.close();
            }
            return ExitCodes.OK;
        }
    }

    private static PgFerryException guardError(SQLException e, Dsn d) {
        return GuardErrors.of(e, d);
    }
}
