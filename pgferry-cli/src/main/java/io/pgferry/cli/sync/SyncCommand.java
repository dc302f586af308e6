package io.pgferry.cli.sync;

import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.HttpOption;
import io.pgferry.cli.command.MaskOption;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.command.SourceOption;
import io.pgferry.cli.command.StreamResourceOptions;
import io.pgferry.cli.command.TargetOption;
import io.pgferry.cli.ops.Signals;
import io.pgferry.cli.ops.SyncMeters;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.Stage;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.engine.SyncEngine;
import io.pgferry.engine.SyncTeardown;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.DdlMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.metrics.MetricsServer;
import io.pgferry.metrics.SlotMetrics;
import io.pgferry.postgres.admin.SlotLostException;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.verify.guard.GuardErrors;
import io.pgferry.verify.guard.GuardSchema;
import io.pgferry.verify.guard.GuardWorker;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgferry sync}: copy tables to another PostgreSQL, then keep them in sync. */
@Command(
        name = "sync",
        description = "Copy tables to a target (PostgreSQL, MySQL, MariaDB, SQLite, SQL Server or Kafka), then apply"
                + " every change exactly once.",
        mixinStandardHelpOptions = true,
        sortOptions = false)
public final class SyncCommand extends PgferryCommand {
    @Mixin
    SourceOption source;

    @Mixin
    TargetOption target;

    @Option(
            names = "--tables",
            paramLabel = "GLOB,...",
            split = ",",
            description = "Tables to sync: schema.table patterns with * and ? (default: every table). Sequences no"
                    + " column owns come too when a pattern picks their names.")
    List<String> tables = List.of();

    @Option(names = "--exclude", paramLabel = "GLOB,...", split = ",", description = "Tables to leave out.")
    List<String> exclude = List.of();

    @Option(
            names = "--schema-map",
            paramLabel = "SRC:DST,...",
            split = ",",
            description = "Put the tables of source schema SRC into target schema DST (which must exist): a MySQL"
                    + " database, a SQL Server schema, a SQLite table-name prefix, a Kafka topic segment.")
    List<String> schemaMap = List.of();

    @Option(
            names = "--copy-mode",
            paramLabel = "MODE",
            defaultValue = SyncConfig.Builder.DEFAULT_COPY_MODE,
            description = "snapshot: copy the existing rows from the slot's snapshot; chunked: copy them in"
                    + " resumable key-range chunks without a long snapshot; none: the target is already loaded"
                    + " (default: ${DEFAULT-VALUE}).")
    String copyMode;

    @Option(
            names = "--copy-source",
            paramLabel = "DSN",
            description = "Read the chunks of --copy-mode chunked from this hot standby of the source.")
    String copySource;

    @Option(
            names = "--chunk-rows",
            paramLabel = "N",
            defaultValue = "" + SyncConfig.Builder.DEFAULT_CHUNK_ROWS,
            description = "Rows in a chunk of --copy-mode chunked (default: ${DEFAULT-VALUE}).")
    int chunkRows;

    @Option(
            names = "--workers",
            paramLabel = "N",
            defaultValue = "" + SyncConfig.Builder.DEFAULT_WORKERS,
            description = "Parallel copy connections (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(
            names = "--slot",
            paramLabel = "NAME",
            defaultValue = SyncConfig.Builder.DEFAULT_SLOT,
            description = "Replication slot, also the sync's name at the target (default: ${DEFAULT-VALUE}).")
    String slot;

    @Option(
            names = "--publication",
            paramLabel = "NAME",
            description = "Publication; created for the tables when missing (default: the one pgferry made for the"
                    + " slot, else one named as the slot).")
    String publication;

    @Option(
            names = "--ddl",
            paramLabel = "MODE",
            defaultValue = SyncConfig.Builder.DEFAULT_DDL,
            description = "A column added at the source while streaming: apply adds it at the target, stop exits"
                    + " with an error (default: ${DEFAULT-VALUE}). Other schema changes always stop the sync.")
    String ddl;

    @ArgGroup(exclusive = true)
    EndMode end = new EndMode();

    /** How the run ends: following until stopped (default) or once caught up. */
    static final class EndMode {
        @Option(names = "--follow", description = "Keep applying changes until stopped (the default).")
        boolean follow;

        @Option(
                names = "--until-caught-up",
                description = "Exit 0 once every change committed before the start is applied, after setting the"
                        + " target's sequences.")
        boolean untilCaughtUp;

        @Option(
                names = "--then-subscribe",
                paramLabel = "NAME",
                description = "Once caught up, set the sequences, create native subscription NAME at the target on"
                        + " the same slot (copy_data = false, create_slot = false), and exit 0.")
        String thenSubscribe;

        @Option(
                names = "--sequences-only",
                description = "Only set the target's sequences to the source's values, then exit.")
        boolean sequencesOnly;

        @Option(
                names = "--drop",
                description = "Remove the sync for good: drop its slot at the source and its records at the target,"
                        + " and the publication if pgferry made it and no other slot is left, then exit. The target's tables and"
                        + " rows stay.")
        boolean drop;
    }

    @Option(
            names = "--on-unrepresentable",
            paramLabel = "POLICY",
            defaultValue = SyncConfig.Builder.DEFAULT_ON_UNREPRESENTABLE,
            description =
                    "A value a MySQL, MariaDB, SQLite or SQL Server target cannot hold (numeric NaN, an infinite or"
                            + " out-of-range timestamp, a key longer than the index allows): error stops naming table,"
                            + " column, key and position; null writes NULL; clamp writes the nearest value it can hold"
                            + " (default: ${DEFAULT-VALUE}).")
    String onUnrepresentable;

    @Mixin
    StreamResourceOptions resources;

    @Mixin
    MaskOption mask;

    @Mixin
    HttpOption http;

    @Option(
            names = "--guard",
            description = "Also run the guard worker for the source and the target (both need pgferry guard install),"
                    + " so that pgferry verify can compare them at any time.")
    boolean guard;

    @Override
    protected int run() {
        SyncConfig config = config();
        if (end.drop) {
            return drop(config);
        }
        valueMask = mask.load();
        http.address(); // checked before anything is created
        GuardWorker worker = guard ? startGuard(config) : null;
        try {
            return sync(config);
        } finally {
            if (worker != null) {
                worker.close();
            }
        }
    }

    private ValueMask valueMask = ValueMask.NONE;

    /** The guard worker of both sides, started once syncguard is found installed on each. */
    private static GuardWorker startGuard(SyncConfig config) {
        for (Dsn d : List.of(config.source(), config.target())) {
            try (Connection c = Connections.open(d)) {
                if (GuardSchema.installedVersion(c).isEmpty()) {
                    throw GuardErrors.notInstalled(d);
                }
            } catch (SQLException e) {
                throw Connections.classify(e, d);
            }
        }
        GuardWorker worker = new GuardWorker(List.of(config.source(), config.target()), Duration.ofMillis(50));
        worker.start();
        return worker;
    }

    private int sync(SyncConfig config) {
        SyncEngine engine = new SyncEngine(config, Stage.IDENTITY, valueMask);
        if (end.sequencesOnly) {
            int n = engine.copySequences();
            spec.commandLine().getErr().printf(Locale.ROOT, "pgferry: %d sequences set%n", n);
            return ExitCodes.OK;
        }
        SlotMetrics slotMetrics = new SlotMetrics(config.source(), config.slot(), Duration.ofSeconds(5));
        MetricsServer server = http.start(
                registry -> {
                    SyncMeters.bind(registry, config.slot(), engine);
                    slotMetrics.bind(registry);
                },
                () -> SyncMeters.readiness(engine),
                () -> {
                    java.io.StringWriter w = new java.io.StringWriter();
                    StatusCommand.json(StatusCommand.reports(target, config.source(), config.slot()), w);
                    return w.toString();
                },
                registry -> SyncMeters.copyTables(registry, config.slot(), engine));
        boolean terminal = CopyReporter.drawsBars(
                System.getProperty(CopyReporter.STDERR_TERMINAL), System.console() != null, System.getenv("TERM"));
        CopyReporter reporter = new CopyReporter(engine, spec.commandLine().getErr(), terminal);
        reporter.start();
        Signals signals = Signals.install(engine::stop, null, spec.commandLine().getErr());
        try {
            SyncEngine.Result r;
            try {
                r = engine.run();
            } catch (SlotLostException e) {
                throw PgFerryException.fatal(
                        e.problem(),
                        "the sync cannot resume: remove it with pgferry sync --drop (the same --source, --target and"
                                + " --slot), "
                                + (config.kafkaTarget() != null
                                        ? "then run it again, which sends the tables' rows again as read records"
                                        : "empty the tables it wrote at the target (TRUNCATE), then run it again to"
                                                + " copy them afresh")
                                + (e.invalidated()
                                        ? "; to keep it from happening, keep the sync running or raise"
                                                + " max_slot_wal_keep_size"
                                        : ""),
                        e);
            }
            spec.commandLine()
                    .getErr()
                    .printf(
                            Locale.ROOT,
                            "pgferry: sync %s %s, %d changes applied, position %s%s%s%n",
                            slot,
                            r.copied() ? "copied and streamed" : "streamed",
                            r.changesApplied(),
                            r.position(),
                            end.untilCaughtUp || end.thenSubscribe != null
                                    ? ", " + r.sequencesSet() + " sequences set"
                                    : "",
                            end.thenSubscribe == null ? "" : ", handed over to subscription " + end.thenSubscribe);
            if (end.untilCaughtUp) {
                // The slot outlives the run so that the next one resumes; until then it holds WAL at the source.
                spec.commandLine()
                        .getErr()
                        .printf(
                                Locale.ROOT,
                                "pgferry: slot %s stays at the source for the next run and holds WAL there until it;"
                                        + " once the sync is done for good: pgferry sync --drop%n",
                                slot);
            }
            return ExitCodes.OK;
        } finally {
            signals.close();
            reporter.stop();
            if (server != null) {
                server.close();
            }
            slotMetrics.close();
        }
    }

    /** {@code --drop}: removes the sync from the source and the target, saying what it removed and what stays. */
    private int drop(SyncConfig config) {
        if (guard || mask.given() || http.address() != null) {
            throw configurationError(PgFerryException.fatal(
                    (guard ? "--guard" : mask.given() ? "--mask" : "--http") + " does not go with --drop",
                    "leave it out: --drop only removes the sync"));
        }
        SyncTeardown.Result r = config.kafkaTarget() != null
                ? SyncTeardown.drop(config.source(), config.publication(), config.kafkaTarget())
                : config.foreignTarget() != null
                        ? SyncTeardown.drop(
                                config.source(),
                                config.slot(),
                                config.publication(),
                                config.foreignTarget(),
                                config.catalogSchema())
                        : SyncTeardown.drop(
                                config.source(),
                                config.slot(),
                                config.publication(),
                                config.target(),
                                config.catalogSchema());
        PrintWriter err = spec.commandLine().getErr();
        err.printf(
                Locale.ROOT,
                "pgferry: sync %s removed: %s; %s%n",
                r.sync(),
                r.slotDropped()
                        ? "slot " + r.sync() + " dropped at the source"
                        : "no slot " + r.sync() + " at the source",
                r.recordsRemoved()
                        ? "its records removed from the target"
                                + (r.catalogDropped() ? " (and the catalog tables: no sync is left in them)" : "")
                        : "no records of it at the target");
        if (r.publicationDropped()) {
            err.printf(
                    Locale.ROOT,
                    "pgferry: publication %s dropped (pgferry created it for this sync, and no other slot is left to"
                            + " use it)%n",
                    Identifiers.display(r.publication()));
        } else if (r.publicationExists()) {
            err.printf(
                    Locale.ROOT,
                    "pgferry: publication %s stays at the source (made by you, or other slots may use it); once none"
                            + " does: DROP PUBLICATION %s%n",
                    Identifiers.display(r.publication()),
                    Identifiers.quote(r.publication()));
        }
        return ExitCodes.OK;
    }

    /** The validated configuration; a bad value exits with {@link ExitCodes#USAGE} before anything is done. */
    private SyncConfig config() {
        try {
            SyncConfig.Builder b = SyncConfig.builder().source(source.dsn());
            Map<String, String> schemas = new LinkedHashMap<>();
            for (String m : schemaMap) {
                String[] parts = m.split(":", -1);
                if (parts.length != 2 || Arrays.stream(parts).anyMatch(String::isBlank)) {
                    throw PgFerryException.fatal(
                            "--schema-map entry '" + m + "' is not SRC:DST", "write it as source_schema:target_schema");
                }
                schemas.put(parts[0].trim(), parts[1].trim());
            }
            schemas.forEach(b::mapSchema);
            if (target.kafka()) {
                b.target(target.kafkaTarget(slot, source.dsn().dbname(), schemas));
                if (guard || end.sequencesOnly) {
                    throw PgFerryException.fatal(
                            (guard ? "--guard" : "--sequences-only") + " needs a PostgreSQL target",
                            "leave it out for a kafka target");
                }
            } else if (target.foreign()) {
                b.target(target.foreignTarget());
                if (guard || end.sequencesOnly) {
                    throw PgFerryException.fatal(
                            (guard ? "--guard" : "--sequences-only") + " needs a PostgreSQL target",
                            "leave it out for a "
                                    + target.foreignTarget().kind().scheme() + " target");
                }
            } else {
                b.target(target.dsn());
            }
            try {
                b.unrepresentable(Unrepresentable.of(onUnrepresentable));
            } catch (IllegalArgumentException e) {
                throw PgFerryException.fatal(
                        "--on-unrepresentable " + onUnrepresentable + " is not a policy", "use error, null or clamp");
            }
            b.include(tables)
                    .exclude(exclude)
                    .copyMode(CopyMode.parse(copyMode))
                    .ddl(DdlMode.parse(ddl))
                    .workers(workers)
                    .chunkRows(chunkRows)
                    .copySource(copySource)
                    .slot(slot)
                    .publication(publication)
                    .untilCaughtUp(end.untilCaughtUp)
                    .thenSubscribe(end.thenSubscribe)
                    .memoryLimitBytes(resources.memoryLimit)
                    .maxRetryTime(resources.maxRetryTime);
            if (resources.spillDir != null) {
                b.spillDirectory(resources.spillDir);
            }
            return b.build();
        } catch (PgFerryException e) {
            throw configurationError(e);
        }
    }
}
