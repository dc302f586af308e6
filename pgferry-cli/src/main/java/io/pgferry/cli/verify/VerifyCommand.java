package io.pgferry.cli.verify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.cli.command.ConfigurationError;
import io.pgferry.cli.command.ControlPlaneOption;
import io.pgferry.cli.command.DsnArguments;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.config.DurationConverter;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.verify.compare.ConsistencyMode;
import io.pgferry.verify.compare.Verifier;
import io.pgferry.verify.compare.VerifyOptions;
import io.pgferry.verify.compare.VerifyReport;
import io.pgferry.verify.control.ControlPlane;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pgferry verify}: compares the bucket catalogs of a publisher and a subscriber. Exit 0 in sync, 1 divergence
 * found, 2 usage, 3 inconclusive, 4 runtime failure.
 */
@Command(
        name = "verify",
        description = "Prove that a replica matches its publisher, bucket by bucket (both sides need pgferry guard).",
        mixinStandardHelpOptions = true,
        sortOptions = false)
public final class VerifyCommand extends PgferryCommand {
    @Option(names = "--publisher-dsn", paramLabel = "DSN", description = "The publisher ($PGFERRY_PUBLISHER_DSN).")
    String publisherDsn;

    @Option(names = "--subscriber-dsn", paramLabel = "DSN", description = "The subscriber ($PGFERRY_SUBSCRIBER_DSN).")
    String subscriberDsn;

    @Option(names = "--schema", paramLabel = "S", description = "Only tables of this schema.")
    String schema;

    @Option(
            names = "--table",
            paramLabel = "T",
            description = "Only these tables (T, of any schema, or S.T), comma-separated or repeated; quote mixed case"
                    + " as in SQL.")
    List<String> tables = new ArrayList<>();

    @Option(
            names = "--consistency-mode",
            paramLabel = "MODE",
            defaultValue = "stable-watermark",
            description = "stable-watermark, lsn-barrier or raw (default: ${DEFAULT-VALUE}).")
    String consistencyMode;

    @Option(
            names = "--stability-buffer-ms",
            paramLabel = "MS",
            defaultValue = "250",
            description = "Minimum age of a compared hash, and the wait between reads (default: ${DEFAULT-VALUE}).")
    long stabilityBufferMs;

    @Option(
            names = "--stability-retries",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Re-reads (stable-watermark) or confirming barriers (lsn-barrier) (default: ${DEFAULT-VALUE}).")
    int stabilityRetries;

    @Option(
            names = "--min-coverage-pct",
            paramLabel = "PCT",
            defaultValue = "80",
            description =
                    "Below this share of compared buckets the run is inconclusive, exit 3 (default: ${DEFAULT-VALUE}).")
    double minCoveragePct;

    @Option(names = "--live-fallback-for-dirty", description = "Hash long-dirty buckets straight from both tables.")
    boolean liveFallback;

    @Option(
            names = "--live-fallback-dirty-age-ms",
            paramLabel = "MS",
            defaultValue = "2000",
            description = "How long a bucket must be dirty for the live fallback (default: ${DEFAULT-VALUE}).")
    long liveFallbackAgeMs;

    @Option(
            names = "--slot",
            paramLabel = "NAME",
            description = "lsn-barrier: the publisher slot(s) the subscriber reads from (default: found on the"
                    + " subscriber); repeatable.")
    List<String> slots = new ArrayList<>();

    @Option(
            names = "--barrier-timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            defaultValue = "60s",
            description =
                    "lsn-barrier: how long to wait for the subscriber and the workers (default: ${DEFAULT-VALUE}).")
    Duration barrierTimeout;

    @Option(names = "--json", description = "One JSON document (schema in docs/verify.md) instead of text.")
    boolean json;

    @Option(
            names = "--control-dsn",
            paramLabel = "DSN",
            description = "PostgreSQL control plane for --write-control-plane (default: a SQLite file in the state"
                    + " directory).")
    String controlDsn;

    @Option(names = "--write-control-plane", description = "Record the run and its divergences in the control plane.")
    boolean writeControlPlane;

    @Override
    protected int runtimeExitCode() {
        return ExitCodes.VERIFY_RUNTIME;
    }

    @Override
    protected int run() {
        VerifyOptions options = options();
        // Opened first, so that an unusable control plane fails before the comparison, not after it.
        try (ControlPlane control =
                writeControlPlane ? ControlPlaneOption.open(spec.commandLine(), controlDsn) : null) {
            VerifyReport report = Verifier.run(options);
            String runId = control == null ? null : ControlPlaneOption.record(control, report, options);
            if (json) {
                printJson(report, runId);
            } else {
                printText(report, options);
                if (runId != null) {
                    out().printf(Locale.ROOT, "recorded as run %s in %s%n", runId, control.location());
                }
            }
            return report.outcome().exitCode();
        }
    }

    VerifyOptions options() {
        Dsn publisher = DsnArguments.required(spec.commandLine(), publisherDsn, "--publisher-dsn");
        Dsn subscriber = DsnArguments.required(spec.commandLine(), subscriberDsn, "--subscriber-dsn");
        ConsistencyMode mode = ConsistencyMode.fromWireName(consistencyMode);
        if (mode == null) {
            throw usage("unknown --consistency-mode " + consistencyMode, "use stable-watermark, lsn-barrier or raw");
        }
        if (stabilityBufferMs < 0 || stabilityRetries < 0 || liveFallbackAgeMs < 0) {
            throw usage(
                    "--stability-buffer-ms, --stability-retries and --live-fallback-dirty-age-ms cannot be negative",
                    "give 0 or more");
        }
        if (minCoveragePct < 0 || minCoveragePct > 100) {
            throw usage("--min-coverage-pct must be between 0 and 100", "give a percentage such as 80");
        }
        return new VerifyOptions(
                publisher,
                subscriber,
                schema,
                tableFilters(spec.commandLine(), tables),
                mode,
                Duration.ofMillis(stabilityBufferMs),
                stabilityRetries,
                minCoveragePct,
                liveFallback ? Duration.ofMillis(liveFallbackAgeMs) : null,
                slots,
                barrierTimeout);
    }

    /**
     * The {@code --table} values as the verifier matches them: each comma-separated name unquoted, {@code S.T} when
     * qualified and {@code T} alone (any schema) otherwise. A list arrives as one value from a {@code PGFERRY_TABLE}
     * variable or a configuration file.
     */
    static List<String> tableFilters(CommandLine cl, List<String> values) {
        List<String> out = new ArrayList<>();
        for (String value : values) {
            List<TableName> names = DsnArguments.tables(cl, List.of(value));
            List<Boolean> qualified = qualifiedItems(value);
            for (int i = 0; i < names.size(); i++) {
                TableName n = names.get(i);
                out.add(qualified.get(i) ? n.schema() + "." + n.name() : n.name());
            }
        }
        return out;
    }

    /** For each comma-separated item of a valid table list, whether it names a schema (a dot outside quotes). */
    private static List<Boolean> qualifiedItems(String list) {
        List<Boolean> out = new ArrayList<>();
        boolean quoted = false;
        boolean dot = false;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '"') {
                quoted = !quoted; // a doubled quote inside a quoted name toggles twice
            } else if (!quoted && c == '.') {
                dot = true;
            } else if (!quoted && c == ',') {
                out.add(dot);
                dot = false;
            }
        }
        out.add(dot);
        return out;
    }

    private ConfigurationError usage(String problem, String fix) {
        return configurationError(PgFerryException.fatal(problem, fix));
    }

    private void printText(VerifyReport r, VerifyOptions o) {
        PrintWriter out = out();
        out.printf(
                Locale.ROOT,
                "verify %s (publisher %s, subscriber %s)%n",
                r.mode().wireName(),
                o.publisher().dbname(),
                o.subscriber().dbname());
        for (VerifyReport.TableResult t : r.tables()) {
            out.printf(
                    Locale.ROOT,
                    "  %s (%s): %,d buckets, %,d compared%s, %,d skipped: %s%n",
                    new TableName(t.schema(), t.table()),
                    t.layout(),
                    t.buckets(),
                    t.compared(),
                    t.live() > 0 ? String.format(Locale.ROOT, " (%,d live)", t.live()) : "",
                    t.skipped(),
                    !t.problems().isEmpty()
                            ? "not compared"
                            : t.divergences().isEmpty()
                                    ? "in sync"
                                    : t.divergences().size() + " diverged");
            for (String p : t.problems()) {
                out.printf(Locale.ROOT, "    problem: %s%n", p);
            }
            for (VerifyReport.Divergence d : t.divergences()) {
                out.printf(
                        Locale.ROOT,
                        "    bucket %d: %s (publisher %s, subscriber %s)%n",
                        d.bucketId(),
                        d.status().wireName(),
                        rows(d.publisherRows()),
                        rows(d.subscriberRows()));
            }
        }
        for (String p : r.problems()) {
            out.printf(Locale.ROOT, "warning: %s%n", p);
        }
        out.printf(
                Locale.ROOT,
                "coverage %.1f%% (minimum %.1f%%); result: %s (exit %d)%n",
                r.coveragePct(),
                r.minCoveragePct(),
                r.outcome().wireName().replace('_', ' '),
                r.outcome().exitCode());
        out.flush();
    }

    private static String rows(Long n) {
        return n == null ? "absent" : n + (n == 1 ? " row" : " rows");
    }

    private void printJson(VerifyReport r, String runId) {
        try (JsonGenerator g =
                new JsonFactory().createGenerator(out()).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            g.writeStartObject();
            if (runId != null) {
                g.writeStringField("run_id", runId);
            }
            g.writeStringField("mode", r.mode().wireName());
            g.writeStringField("started_at", r.startedAt().toString());
            g.writeStringField("finished_at", r.finishedAt().toString());
            g.writeStringField("outcome", r.outcome().wireName());
            g.writeNumberField("exit_code", r.outcome().exitCode());
            g.writeNumberField("coverage_pct", r.coveragePct());
            g.writeNumberField("min_coverage_pct", r.minCoveragePct());
            g.writeNumberField("divergences", r.divergenceCount());
            g.writeArrayFieldStart("problems");
            for (String p : r.problems()) {
                g.writeString(p);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("tables");
            for (VerifyReport.TableResult t : r.tables()) {
                g.writeStartObject();
                g.writeStringField("schema", t.schema());
                g.writeStringField("table", t.table());
                g.writeStringField("layout", t.layout());
                g.writeNumberField("buckets", t.buckets());
                g.writeNumberField("compared", t.compared());
                g.writeNumberField("live", t.live());
                g.writeNumberField("skipped", t.skipped());
                g.writeArrayFieldStart("problems");
                for (String p : t.problems()) {
                    g.writeString(p);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("divergences");
                for (VerifyReport.Divergence d : t.divergences()) {
                    g.writeStartObject();
                    g.writeNumberField("bucket_id", d.bucketId());
                    g.writeStringField("status", d.status().wireName());
                    writeRows(g, "publisher_rows", d.publisherRows());
                    writeRows(g, "subscriber_rows", d.subscriberRows());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out().flush();
    }

    private static void writeRows(JsonGenerator g, String name, Long rows) throws IOException {
        if (rows == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, rows);
        }
    }
}
