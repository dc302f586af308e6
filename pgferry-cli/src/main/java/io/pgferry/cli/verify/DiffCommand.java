package io.pgferry.cli.verify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.cli.command.DsnArguments;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.command.SourceOption;
import io.pgferry.cli.command.TargetOption;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.verify.diff.DiffOptions;
import io.pgferry.verify.diff.DiffReport;
import io.pgferry.verify.diff.Differ;
import io.pgferry.verify.inspect.RowDiff;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pgferry diff}: the rows that differ between the same tables of two databases, nothing installed. Exit 0
 * equal, 1 rows differ, 2 usage, 3 a table could not be compared, 4 runtime failure.
 */
@Command(
        name = "diff",
        description = "Find the rows that differ between two databases by bisecting key ranges (nothing installed).",
        mixinStandardHelpOptions = true,
        sortOptions = false)
public final class DiffCommand extends PgferryCommand {
    @Mixin
    SourceOption source;

    @Mixin
    TargetOption target;

    @Option(
            names = "--table",
            paramLabel = "S.T",
            description = "Tables, repeatable or comma-separated (default: every" + " table with a primary key).")
    List<String> tables = new ArrayList<>();

    @Option(
            names = "--bisection-factor",
            paramLabel = "N",
            defaultValue = "32",
            description = "Parts a differing key range is cut into (default: ${DEFAULT-VALUE}).")
    int factor;

    @Option(
            names = "--bisection-threshold",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Key ranges of at most this many rows are compared row by row (default: ${DEFAULT-VALUE}).")
    int threshold;

    @Option(
            names = "--max-rows",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Report at most this many differing rows per table (default: ${DEFAULT-VALUE}).")
    int maxRows;

    @Option(names = "--json", description = "One JSON document instead of text.")
    boolean json;

    @Override
    protected int runtimeExitCode() {
        return ExitCodes.VERIFY_RUNTIME;
    }

    @Override
    protected int run() {
        if (factor < 2 || threshold < 1 || maxRows < 1) {
            throw configurationError(PgFerryException.fatal(
                    "--bisection-factor must be 2 or more, --bisection-threshold and --max-rows 1 or more",
                    "e.g. --bisection-factor 32 --bisection-threshold 1000"));
        }
        List<TableName> names = DsnArguments.tables(spec.commandLine(), tables);
        DiffReport report = Differ.run(new DiffOptions(source.dsn(), target.dsn(), names, factor, threshold, maxRows));
        if (json) {
            printJson(report);
        } else {
            printText(report);
        }
        if (report.differences() > 0) {
            return ExitCodes.DIVERGED;
        }
        return report.comparable() ? ExitCodes.OK : ExitCodes.INCONCLUSIVE;
    }

    private void printText(DiffReport report) {
        PrintWriter out = out();
        for (DiffReport.TableDiff t : report.tables()) {
            if (!t.problems().isEmpty()) {
                out.printf(
                        Locale.ROOT,
                        "%s: not compared: %s%n",
                        new TableName(t.schema(), t.table()),
                        String.join("; ", t.problems()));
                continue;
            }
            out.printf(
                    Locale.ROOT,
                    "%s: %,d rows on the source, %,d on the target; %s%s (%d queries)%n",
                    new TableName(t.schema(), t.table()),
                    t.sourceRows(),
                    t.targetRows(),
                    t.rows().isEmpty() ? "equal" : t.rows().size() + " row(s) differ",
                    t.truncated() ? ", more not shown" : "",
                    t.queries());
            for (RowDiff d : t.rows()) {
                RowDiffOutput.printText(out, d, "missing on the target", "only on the target");
            }
        }
        out.flush();
    }

    private void printJson(DiffReport report) {
        try (JsonGenerator g =
                new JsonFactory().createGenerator(out()).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            g.writeStartObject();
            g.writeNumberField("differences", report.differences());
            g.writeArrayFieldStart("tables");
            for (DiffReport.TableDiff t : report.tables()) {
                g.writeStartObject();
                g.writeStringField("schema", t.schema());
                g.writeStringField("table", t.table());
                g.writeNumberField("source_rows", t.sourceRows());
                g.writeNumberField("target_rows", t.targetRows());
                g.writeBooleanField("truncated", t.truncated());
                g.writeNumberField("queries", t.queries());
                g.writeArrayFieldStart("problems");
                for (String p : t.problems()) {
                    g.writeString(p);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("rows");
                for (RowDiff d : t.rows()) {
                    g.writeStartObject();
                    g.writeStringField(
                            "kind",
                            switch (d.kind()) {
                                case CHANGED -> "changed";
                                case MISSING_ON_SUBSCRIBER -> "missing_on_target";
                                case MISSING_ON_PUBLISHER -> "missing_on_source";
                            });
                    RowDiffOutput.writeRow(g, "key", d.key());
                    g.writeArrayFieldStart("columns");
                    for (String c : d.columns()) {
                        g.writeString(c);
                    }
                    g.writeEndArray();
                    RowDiffOutput.writeRow(g, "source", d.publisher());
                    RowDiffOutput.writeRow(g, "target", d.subscriber());
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
}
