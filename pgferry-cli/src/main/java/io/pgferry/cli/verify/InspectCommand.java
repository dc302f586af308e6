package io.pgferry.cli.verify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.verify.inspect.BucketInspector;
import io.pgferry.verify.inspect.RepairPlan;
import io.pgferry.verify.inspect.RowDiff;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pgferry inspect}: the rows that differ in one bucket, and the SQL that would repair the subscriber. Prints
 * row values on standard output, because that is what was asked for; logs never hold them.
 */
@Command(
        name = "inspect",
        description = "Show the rows that differ in one bucket and the repair plan as SQL (changes nothing).",
        mixinStandardHelpOptions = true,
        sortOptions = false)
public final class InspectCommand extends PgferryCommand {
    @Mixin
    BucketOptions bucket;

    @Option(names = "--json", description = "One JSON document instead of text.")
    boolean json;

    @Override
    protected int runtimeExitCode() {
        return ExitCodes.VERIFY_RUNTIME;
    }

    @Override
    protected int run() {
        TableName t = bucket.tableName();
        BucketInspector.Inspection i =
                BucketInspector.inspect(bucket.publisher(), bucket.subscriber(), t.schema(), t.name(), bucket.bucketId);
        if (json) {
            printJson(out(), i);
        } else {
            printText(out(), i);
        }
        return i.rows().isEmpty() ? ExitCodes.OK : ExitCodes.DIVERGED;
    }

    static void printText(PrintWriter out, BucketInspector.Inspection i) {
        out.printf(
                Locale.ROOT,
                "%s bucket %d (%s): %d row(s) differ%n",
                new TableName(i.schema(), i.table()),
                i.bucketId(),
                i.bounds(),
                i.rows().size());
        for (RowDiff d : i.rows()) {
            RowDiffOutput.printText(out, d, "missing on subscriber", "missing on publisher");
        }
        if (!i.plan().isEmpty()) {
            out.println("repair plan, for the subscriber:");
            out.println("BEGIN;");
            RepairPlan.SETTINGS.forEach(s -> out.println(s + ";"));
            i.plan().forEach(s -> out.println(s + ";"));
            out.println("COMMIT;");
        }
        out.flush();
    }

    private static void printJson(PrintWriter out, BucketInspector.Inspection i) {
        try (JsonGenerator g =
                new JsonFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            g.writeStartObject();
            g.writeStringField("schema", i.schema());
            g.writeStringField("table", i.table());
            g.writeNumberField("bucket_id", i.bucketId());
            g.writeStringField("layout", i.layout());
            g.writeStringField("bounds", i.bounds());
            g.writeArrayFieldStart("rows");
            for (RowDiff d : i.rows()) {
                g.writeStartObject();
                g.writeStringField("kind", d.kind().wireName());
                RowDiffOutput.writeRow(g, "key", d.key());
                g.writeArrayFieldStart("columns");
                for (String c : d.columns()) {
                    g.writeString(c);
                }
                g.writeEndArray();
                RowDiffOutput.writeRow(g, "publisher", d.publisher());
                RowDiffOutput.writeRow(g, "subscriber", d.subscriber());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("settings");
            for (String s : RepairPlan.SETTINGS) {
                g.writeString(s);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("plan");
            for (String s : i.plan()) {
                g.writeString(s);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }
}
