package io.pgferry.cli.scan;

import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.HttpOption;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.command.SourceOption;
import io.pgferry.cli.command.StreamResourceOptions;
import io.pgferry.cli.config.DurationConverter;
import io.pgferry.cli.ops.Signals;
import io.pgferry.cli.ops.StatusJson;
import io.pgferry.core.PgFerryException;
import io.pgferry.metrics.MetricsServer;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.scan.Fingerprints;
import io.pgferry.scan.RuleReloader;
import io.pgferry.scan.ScanJob;
import io.pgferry.scan.ScanSupervisor;
import io.pgferry.scan.Scanner;
import io.pgferry.scan.alert.Alerts;
import io.pgferry.scan.alert.DedupStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgferry scan}: masked findings of sensitive data in the change stream (and, first, the existing rows). */
@Command(
        name = "scan",
        description = "Scan committed changes (and with --snapshot the existing rows) for sensitive data; report"
                + " masked findings, at least once.",
        mixinStandardHelpOptions = true,
        sortOptions = false)
public final class ScanCommand extends PgferryCommand {
    static final String SLOT_PREFIX = "pgferry_scan_";
    static final String DEFAULT_PUBLICATION = "pgferry_scan_pub";

    @Mixin
    SourceOption source;

    @Option(
            names = "--publication",
            paramLabel = "NAME",
            defaultValue = DEFAULT_PUBLICATION,
            description = "Publication to scan; created for --tables when missing (default: ${DEFAULT-VALUE}).")
    String publication;

    @Option(
            names = "--slot",
            paramLabel = "NAME",
            description = "Replication slot, [a-z0-9_]; created when missing (default: pgferry_scan_<database>, as"
                    + " slot names are shared by every database of a server).")
    String slot;

    @Option(names = "--tables", paramLabel = "LIST", description = "Tables to publish, as schema.table,schema.table.")
    String tables;

    @Option(
            names = "--rules",
            paramLabel = "FILE",
            description = "Rule file, TOML or YAML, reloaded when it changes (default: bundled rules).")
    Path rules;

    @Option(
            names = "--snapshot",
            description = "First scan the rows that exist, in parallel, when the slot is created (again on restart if"
                    + " stopped during it).")
    boolean snapshot;

    @Option(
            names = "--until-caught-up",
            description = "Exit 0 once every transaction committed before the start was scanned.")
    boolean untilCaughtUp;

    @Option(
            names = "--channel",
            paramLabel = "SPEC",
            split = ",",
            description = "Where findings go: stdout, log, jsonl:FILE, webhook:URL, slack:URL, postgres:DSN (URLs and"
                    + " DSNs may be env:NAME or file:PATH); repeatable (default: stdout, unless the configuration file"
                    + " names channels).")
    List<String> channels;

    @Option(
            names = "--webhook-header",
            paramLabel = "NAME=VALUE",
            description = "A header of every webhook request, VALUE literal, env:NAME or file:PATH; repeatable.")
    Map<String, String> webhookHeaders = Map.of();

    @Option(
            names = "--exclude-tables",
            paramLabel = "LIST",
            split = ",",
            description = "Tables never scanned: names or globs, table or schema.table.")
    List<String> excludeTables = List.of();

    @Option(
            names = "--exclude-columns",
            paramLabel = "LIST",
            split = ",",
            description = "Columns never scanned nor reported as keys: names or globs.")
    List<String> excludeColumns = List.of();

    @Option(names = "--scan-numbers", description = "Also scan numeric and bigint columns (card numbers as numbers).")
    boolean scanNumbers;

    @Option(
            names = "--dedup-window",
            paramLabel = "DURATION",
            defaultValue = "5min",
            converter = DurationConverter.class,
            description = "Report an equal finding (same place, same value) once per window; 0s: every time"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration dedupWindow;

    @Option(
            names = "--workers",
            paramLabel = "N",
            defaultValue = "4",
            description = "Threads that read and scan the snapshot (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(
            names = "--checkpoint",
            paramLabel = "FILE",
            description = "Keep confirmed progress in FILE (default: in the state directory, by slot and database).")
    Path checkpoint;

    @Mixin
    StreamResourceOptions resources;

    @Mixin
    HttpOption http;

    /**
     * The default slot of a database: {@code pgferry_scan_} and the database's name in {@code [a-z0-9_]}, so that
     * scans of two databases of one server do not reach for one slot, and a restart finds its own.
     */
    static String defaultSlot(String dbname) {
        String s = SLOT_PREFIX + dbname.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return s.length() > 63 ? s.substring(0, 63) : s;
    }

    @Override
    protected int run() {
        ScanPlan plan = ScanPlan.of(this, spec.commandLine());
        http.address(); // checked before anything is opened
        Path state = StreamConfig.stateDirectory();
        Alerts alerts;
        try {
            alerts = new Alerts(
                    ChannelSpec.open(plan.channels(), state.resolve("outbox")),
                    new DedupStore(plan.dedupFile(), dedupWindow),
                    Clock.systemUTC());
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "cannot open the deduplication store " + plan.dedupFile() + ": " + e.getMessage(),
                    "check that the state directory is writable",
                    e);
        }
        List<String> failed;
        ScanSupervisor supervisor;
        RuleReloader reloader = null;
        ScanMeters meters = new ScanMeters();
        try (alerts) {
            Fingerprints fingerprints = Fingerprints.fromFile(state.resolve("scan.secret"));
            List<Scanner> scanners = plan.scanners();
            supervisor =
                    plan.supervisor(scanners, alerts, fingerprints, workers, untilCaughtUp, resources.maxRetryTime);
            reloader = plan.rulesFile() == null
                    ? null
                    : new RuleReloader(plan.rulesFile(), scanners, ScanPlan.RELOAD_INTERVAL);
            ScanSupervisor supervised = supervisor;
            RuleReloader watched = reloader;
            MetricsServer server = http.start(
                    registry -> meters.bind(registry, plan, supervised, alerts, watched),
                    supervised::notReadyBecause,
                    () -> StatusJson.of(
                            "scan",
                            "databases",
                            supervised.identities().stream()
                                    .map(id -> new StatusJson.Stream(id, supervised.state(id), supervised.stats(id)))
                                    .toList(),
                            Map.of(
                                    "findings_delivered",
                                    alerts.delivered(),
                                    "findings_suppressed",
                                    alerts.suppressed())));
            Signals signals = Signals.install(
                    supervised::stop,
                    () -> watched == null
                            ? "nothing to reload: the scan runs the bundled rules (give --rules FILE to reload rules)"
                            : watched.reloadNow(),
                    spec.commandLine().getErr());
            try {
                failed = supervisor.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                supervisor.stop();
                failed = List.of();
            } finally {
                signals.close();
                if (server != null) {
                    server.close();
                }
            }
            for (Map.Entry<String, ScanJob> e : new TreeMap<>(supervisor.finishedJobs()).entrySet()) {
                ScanJob job = e.getValue();
                spec.commandLine()
                        .getErr()
                        .printf(
                                Locale.ROOT,
                                "pgferry: %s: %d snapshot rows, %d changes scanned, confirmed up to %s%n",
                                e.getKey(),
                                job.snapshotRows(),
                                job.changes(),
                                job.streamStats().acknowledged());
            }
            spec.commandLine()
                    .getErr()
                    .printf(
                            Locale.ROOT,
                            "pgferry: %d findings (%d repeats suppressed)%n",
                            alerts.delivered(),
                            alerts.suppressed());
        } catch (IOException e) {
            throw PgFerryException.fatal("cannot close a findings channel: " + e.getMessage(), "check the output", e);
        } finally {
            meters.close();
            if (reloader != null) {
                reloader.close();
            }
        }
        if (!failed.isEmpty()) {
            throw PgFerryException.fatal(
                    "gave up scanning " + String.join(", ", failed) + " (see the log for why)",
                    "check that the database is up and the scan's role can replicate, then run again");
        }
        return ExitCodes.OK;
    }
}
