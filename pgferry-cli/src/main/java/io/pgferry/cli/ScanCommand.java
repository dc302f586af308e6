package io.pgferry.cli;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.FileCheckpointStore;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.TableName;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.scan.Fingerprints;
import io.pgferry.scan.ScanJob;
import io.pgferry.scan.Scanner;
import io.pgferry.scan.alert.Alerts;
import io.pgferry.scan.alert.DedupStore;
import io.pgferry.scan.rules.RuleSet;
import io.pgferry.scan.rules.Scope;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
final class ScanCommand extends PgferryCommand {
    static final String DEFAULT_SLOT = "pgferry_scan";
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
            defaultValue = DEFAULT_SLOT,
            description = "Replication slot, [a-z0-9_]; created when missing (default: ${DEFAULT-VALUE}).")
    String slot;

    @Option(names = "--tables", paramLabel = "LIST", description = "Tables to publish, as schema.table,schema.table.")
    String tables;

    @Option(names = "--rules", paramLabel = "FILE", description = "Rule file, TOML or YAML (default: bundled rules).")
    Path rules;

    @Option(names = "--snapshot", description = "First scan the rows that exist (in parallel); needs a new slot.")
    boolean snapshot;

    @Option(
            names = "--until-caught-up",
            description = "Exit 0 once every transaction committed before the start was scanned.")
    boolean untilCaughtUp;

    @Option(
            names = "--channel",
            paramLabel = "SPEC",
            split = ",",
            description = "Where findings go: stdout, log, jsonl:FILE; repeatable (default: stdout).")
    List<String> channels = List.of("stdout");

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

    @Override
    int run() {
        Setup s = setup();
        Path stateBase = stateFile(s.dsn);
        Alerts alerts;
        try {
            alerts = new Alerts(
                    ChannelSpec.open(channels),
                    new DedupStore(Path.of(stateBase + ".dedup"), dedupWindow),
                    Clock.systemUTC());
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "cannot open the deduplication store " + stateBase + ".dedup: " + e.getMessage(),
                    "check that the state directory is writable",
                    e);
        }
        try (alerts) {
            Fingerprints fingerprints =
                    Fingerprints.fromFile(StreamConfig.stateDirectory().resolve("scan.secret"));
            ScanJob job = new ScanJob(s.stream, s.scanner, alerts, fingerprints, snapshot, workers);
            Thread hook = new Thread(job::stop, "pgferry-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                job.run();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // The JVM is already shutting down and the hook is draining the scan.
                }
            }
            spec.commandLine()
                    .getErr()
                    .printf(
                            Locale.ROOT,
                            "pgferry: %s: %d snapshot rows, %d changes scanned, %d findings (%d repeats suppressed),"
                                    + " confirmed up to %s%n",
                            job.database(),
                            job.snapshotRows(),
                            job.changes(),
                            alerts.delivered(),
                            alerts.suppressed(),
                            job.streamStats().acknowledged());
        } catch (IOException e) {
            throw PgFerryException.fatal("cannot close a findings channel: " + e.getMessage(), "check the output", e);
        }
        return ExitCodes.OK;
    }

    private Path stateFile(Dsn dsn) {
        Path cp = StreamConfig.defaultCheckpointFile(dsn, slot);
        String name = cp.getFileName().toString().replaceFirst("\\.checkpoint$", "");
        return cp.resolveSibling(name);
    }

    /** What a run needs, validated before anything is opened or created. */
    private record Setup(Dsn dsn, StreamConfig.Builder stream, Scanner scanner) {}

    private Setup setup() {
        Dsn dsn = source.dsn();
        try {
            ChannelSpec.validate(channels);
            if (workers < 1 || workers > 64) {
                throw PgFerryException.fatal("--workers " + workers + " is not 1 to 64", "give a number from 1 to 64");
            }
            if (dedupWindow.isNegative()) {
                throw PgFerryException.fatal("the dedup window is negative", "give 0s or more");
            }
            RuleSet ruleSet = rules == null ? RuleSet.bundled() : RuleSet.load(rules);
            Scope scope = Scope.of(List.of(), List.of(), excludeTables, List.of(), excludeColumns);
            StreamConfig.Builder b = StreamConfig.builder()
                    .source(dsn)
                    .publication(publication)
                    .slot(slot)
                    .untilCaughtUp(untilCaughtUp)
                    .memoryLimitBytes(resources.memoryLimit)
                    .maxRetryTime(resources.maxRetryTime);
            if (tables != null) {
                b.tables(TableName.parseList(tables));
            }
            if (resources.spillDir != null) {
                b.spillDirectory(resources.spillDir);
            }
            if (checkpoint != null) {
                b.checkpointStore(new FileCheckpointStore(checkpoint));
            }
            b.build();
            return new Setup(dsn, b, new Scanner(ruleSet, scope, scanNumbers));
        } catch (PgFerryException e) {
            throw configurationError(e);
        }
    }
}
