package io.pgferry.cli.scan;

import io.pgferry.cli.command.ConfigurationError;
import io.pgferry.cli.command.Invocation;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.Secrets;
import io.pgferry.core.checkpoint.FileCheckpointStore;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.scan.Fingerprints;
import io.pgferry.scan.ScanJob;
import io.pgferry.scan.ScanSupervisor;
import io.pgferry.scan.Scanner;
import io.pgferry.scan.alert.Alerts;
import io.pgferry.scan.rules.RuleSet;
import io.pgferry.scan.rules.Scope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/**
 * What {@code pgferry scan} will do, from its flags and configuration file, checked whole before anything is opened
 * or created: the rules, the channels, and each database with its stream and scope.
 */
record ScanPlan(RuleSet rules, Path rulesFile, List<ChannelSpec> channels, Path dedupFile, List<Database> databases) {
    /** How often a rule file is checked for changes. */
    static final Duration RELOAD_INTERVAL = Duration.ofSeconds(2);

    /** One database: its stream settings, scope and whether to scan its existing rows first. */
    record Database(Dsn source, StreamConfig.Builder stream, Scope scope, boolean snapshot, boolean numbers) {
        String identity() {
            return ScanJob.identity(source);
        }
    }

    static ScanPlan of(ScanCommand c, CommandLine cl) {
        try {
            return build(c);
        } catch (PgFerryException e) {
            throw new ConfigurationError(cl, e);
        }
    }

    private static ScanPlan build(ScanCommand c) {
        Map<String, String> env = Invocation.environment(c.commandLine());
        Path config = Invocation.configFile(c.commandLine());
        if (c.workers < 1 || c.workers > 64) {
            throw PgFerryException.fatal("--workers " + c.workers + " is not 1 to 64", "give a number from 1 to 64");
        }
        if (c.dedupWindow.isNegative()) {
            throw PgFerryException.fatal("the dedup window is negative", "give 0s or more");
        }
        ScanSections sections =
                config == null ? ScanSections.none() : ScanSections.read(config, env, c.publication, c.slot);
        List<ChannelSpec> channels = new ArrayList<>();
        List<String> flags =
                c.channels != null ? c.channels : sections.channels().isEmpty() ? List.of("stdout") : List.of();
        for (String f : flags) {
            channels.add(ChannelSpec.parse(f, resolvedHeaders(c.webhookHeaders, env), env));
        }
        channels.addAll(sections.channels());
        ChannelSpec.checkNames(channels);
        RuleSet rules = c.rules == null ? RuleSet.bundled() : RuleSet.load(c.rules);

        List<Database> dbs = new ArrayList<>();
        Path dedup;
        if (sections.databases().isEmpty()) {
            Dsn dsn = c.source.dsn();
            String slot = c.slot != null ? c.slot : ScanCommand.defaultSlot(dsn.dbname());
            dbs.add(database(
                    c,
                    dsn,
                    c.publication,
                    slot,
                    c.tables == null ? List.of() : TableName.parseList(c.tables),
                    c.snapshot,
                    List.of(),
                    List.of(),
                    c.checkpoint));
            Path cp = StreamConfig.defaultCheckpointFile(dsn, slot);
            dedup = cp.resolveSibling(cp.getFileName().toString().replaceFirst("\\.checkpoint$", "") + ".dedup");
        } else {
            if (c.source.source != null || c.tables != null || c.checkpoint != null || c.snapshot) {
                throw PgFerryException.fatal(
                        "--source, --tables, --checkpoint or --snapshot given with a databases: section",
                        "set them per database in " + config);
            }
            for (ScanSections.DatabaseSpec d : sections.databases()) {
                dbs.add(database(
                        c,
                        d.source(),
                        d.publication(),
                        d.slot() != null
                                ? d.slot()
                                : ScanCommand.defaultSlot(d.source().dbname()),
                        d.tables(),
                        d.snapshot(),
                        d.excludeTables(),
                        d.excludeColumns(),
                        d.checkpoint()));
            }
            String name = config.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            dedup = StreamConfig.stateDirectory().resolve("scan-" + name + ".dedup");
        }
        for (ChannelSpec ch : channels) {
            if (ch.type().equals("postgres")) {
                refuseScannedFindingsTable(ch, dbs);
            }
        }
        Set<String> seen = new HashSet<>();
        for (Database d : dbs) {
            String slot = d.stream().build().slot();
            if (!seen.add(d.identity() + " " + slot)) {
                throw PgFerryException.fatal(
                        "database " + d.identity() + " is listed twice with slot " + slot,
                        "give each entry of one database its own slot");
            }
        }
        return new ScanPlan(rules, c.rules, channels, dedup, dbs);
    }

    private static Database database(
            ScanCommand c,
            Dsn dsn,
            String publication,
            String slot,
            List<TableName> tables,
            boolean snapshot,
            List<String> excludeTables,
            List<String> excludeColumns,
            Path checkpoint) {
        List<String> tablesOut = new ArrayList<>(c.excludeTables);
        tablesOut.addAll(excludeTables);
        List<String> columnsOut = new ArrayList<>(c.excludeColumns);
        columnsOut.addAll(excludeColumns);
        StreamConfig.Builder b = StreamConfig.builder()
                .source(dsn)
                .publication(publication)
                .slot(slot)
                .tables(tables)
                .untilCaughtUp(c.untilCaughtUp)
                .memoryLimitBytes(c.resources.memoryLimit)
                .maxRetryTime(c.resources.maxRetryTime);
        if (c.resources.spillDir != null) {
            b.spillDirectory(c.resources.spillDir);
        }
        if (checkpoint != null) {
            b.checkpointStore(new FileCheckpointStore(checkpoint));
        }
        b.build(); // validates now, before anything is created
        return new Database(
                dsn, b, Scope.of(List.of(), List.of(), tablesOut, List.of(), columnsOut), snapshot, c.scanNumbers);
    }

    /**
     * Findings must not go into a table the scan reads: its own inserts would come back through the stream. Refused
     * when the channel's database is scanned, its tables are the publication's (unknown before connecting) or list
     * the findings table, and the scope does not exclude it.
     */
    private static void refuseScannedFindingsTable(ChannelSpec ch, List<Database> dbs) {
        String where = ScanJob.identity(ch.dsn());
        TableName t = ch.table();
        for (Database d : dbs) {
            List<TableName> tables = d.stream().build().tables();
            if (d.identity().equals(where)
                    && (tables.isEmpty() || tables.contains(t))
                    && d.scope().coversTable(t.schema(), t.name())) {
                throw PgFerryException.fatal(
                        "channel " + ch.name() + " would write findings into " + t + " of " + where
                                + ", a database this scan reads",
                        "add " + t + " to --exclude-tables (or exclude_tables of that database), or write findings"
                                + " to another database");
            }
        }
    }

    private static Map<String, String> resolvedHeaders(Map<String, String> headers, Map<String, String> env) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        headers.forEach((k, v) -> out.put(k, Secrets.resolve(v, env, "the webhook header " + k)));
        return out;
    }

    /** The scanners of the databases, one each (their scopes differ), made once so a reload reaches them all. */
    List<Scanner> scanners() {
        return databases.stream()
                .map(d -> new Scanner(rules, d.scope(), d.numbers()))
                .toList();
    }

    /** The supervisor that runs every database, each job made fresh for every attempt. */
    ScanSupervisor supervisor(
            List<Scanner> scanners,
            Alerts alerts,
            Fingerprints fingerprints,
            int workers,
            boolean untilCaughtUp,
            Duration giveUpAfter) {
        List<ScanSupervisor.Database> list = new ArrayList<>();
        for (int i = 0; i < databases.size(); i++) {
            Database d = databases.get(i);
            Scanner scanner = scanners.get(i);
            list.add(new ScanSupervisor.Database(
                    d.identity(), () -> new ScanJob(d.stream(), scanner, alerts, fingerprints, d.snapshot(), workers)));
        }
        return new ScanSupervisor(list, untilCaughtUp, giveUpAfter);
    }
}
