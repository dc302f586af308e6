package io.pgferry.cli.sync;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.command.TargetOption;
import io.pgferry.core.PgFerryException;
import io.pgferry.engine.SyncStatus;
import io.pgferry.jdbc.CopyChunks;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.postgres.connect.Dsn;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgferry status}: what the syncs into a target have recorded, with lag when the source is known. */
@Command(
        name = "status",
        description = "Show the position, lag and per-table states of the syncs into a target.",
        mixinStandardHelpOptions = true,
        sortOptions = false)
public final class StatusCommand extends PgferryCommand {
    @Mixin
    TargetOption target;

    @Option(
            names = "--source",
            paramLabel = "DSN",
            description = "The source, to show lag and the slot's state (default: $PGFERRY_SOURCE_DSN if set).")
    String source;

    @Option(names = "--slot", paramLabel = "NAME", description = "Only the sync of this slot (default: all).")
    String slot;

    @Option(names = "--json", description = "One JSON document instead of the table.")
    boolean json;

    @Override
    protected int run() {
        Dsn s;
        try {
            s = source == null && System.getenv(Dsn.SOURCE_DSN_VARIABLE) == null ? null : Dsn.fromEnvironmentOr(source);
        } catch (PgFerryException e) {
            throw configurationError(e);
        }
        List<SyncStatus.Report> reports = reports(target, s, slot);
        if (json) {
            json(reports, out());
            out().println();
            out().flush();
        } else {
            printTable(reports);
        }
        return ExitCodes.OK;
    }

    private void printTable(List<SyncStatus.Report> reports) {
        PrintWriter out = out();
        for (SyncStatus.Report r : reports) {
            out.printf(
                    Locale.ROOT,
                    "sync %s: %sposition %s%s%s%s%n",
                    r.sync(),
                    r.handedOverTo() == null ? "" : "handed over to subscription " + r.handedOverTo() + " at ",
                    r.position().map(Object::toString).orElse("none (initial copy not finished)"),
                    lag(r),
                    slot(r.slot()),
                    seen(r.sourceSeenAt()));
            r.exactFrom()
                    .filter(x -> r.position().isEmpty() || r.position().get().isBefore(x))
                    .ifPresent(x -> out.printf(
                            Locale.ROOT, "  replaying the changes made during the chunked copy until %s%n", x));
            out.printf(
                    Locale.ROOT,
                    "  %-32s %-32s %-12s %14s %12s %13s%n",
                    "table",
                    "target",
                    "state",
                    "rows copied",
                    "MB",
                    r.chunks().isEmpty() ? "" : "chunks");
            for (SyncCatalog.TableStatus ts : r.tables()) {
                CopyChunks.Progress c = r.chunks().get(ts.sourceTable());
                out.printf(
                        Locale.ROOT,
                        "  %-32s %-32s %-12s %,14d %,12d %13s%s%n",
                        ts.sourceTable(),
                        ts.target(),
                        ts.state().label(),
                        ts.rowsCopied(),
                        ts.bytesCopied() >> 20,
                        c == null ? "" : c.done() + "/" + c.total(),
                        ts.error() == null ? "" : "  error: " + ts.error());
            }
        }
        out.flush();
    }

    /** The lag, in bytes and seconds where both are known; a handed-over sync's is its subscription's. */
    private static String lag(SyncStatus.Report r) {
        if (r.lagBytes() == null) {
            return r.handedOverTo() == null ? "" : ", its lag unknown without the source";
        }
        return String.format(Locale.ROOT, ", %slag %,d bytes", r.handedOverTo() == null ? "" : "its ", r.lagBytes())
                + (r.lagTime() == null
                        ? ""
                        : String.format(Locale.ROOT, ", %.1f s", r.lagTime().toMillis() / 1000.0));
    }

    /** Says how old lag and slot are when they are the running sync's record rather than read from the source now. */
    private static String seen(Instant at) {
        if (at == null) {
            return "";
        }
        long ago = Math.max(0, Duration.between(at, Instant.now()).toSeconds());
        return String.format(Locale.ROOT, " (as the sync saw the source %d s ago)", ago);
    }

    private static String slot(SyncStatus.SlotState s) {
        if (s == null) {
            return "";
        }
        if (!s.exists()) {
            return "; slot missing at the source";
        }
        if (s.invalidation() != null) {
            return "; slot invalidated by the source (" + s.invalidation() + "): the sync cannot resume; remove it"
                    + " (pgferry sync --drop), empty its tables and run it again";
        }
        return String.format(
                Locale.ROOT,
                "; slot %s, confirmed %s, retains %s MB",
                s.active() ? "active" : "inactive",
                s.confirmedFlush(),
                s.retainedBytes() == null ? "?" : String.valueOf(s.retainedBytes() >> 20));
    }

    /** What the syncs of {@code slot} (all when null) into {@code target} recorded, with lag when source is known. */
    static List<SyncStatus.Report> reports(TargetOption target, Dsn source, String slot) {
        return target.kafka()
                ? SyncStatus.read(target.kafkaStatusTarget(slot), source, slot != null)
                : target.foreign()
                        ? SyncStatus.read(target.foreignTarget(), source, SyncCatalog.DEFAULT_SCHEMA, slot)
                        : SyncStatus.read(target.dsn(), source, SyncCatalog.DEFAULT_SCHEMA, slot);
    }

    /** The JSON document of {@code pgferry status --json}, also served as {@code /status} by a running sync. */
    static void json(List<SyncStatus.Report> reports, java.io.Writer out) {
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeArrayFieldStart("syncs");
            for (SyncStatus.Report r : reports) {
                g.writeStartObject();
                g.writeStringField("sync", r.sync());
                g.writeStringField(
                        "position", r.position().map(Object::toString).orElse(null));
                writeInstant(g, "source_commit_time", r.sourceCommitTime());
                writeInstant(g, "updated_at", r.updatedAt());
                g.writeStringField(
                        "exact_from", r.exactFrom().map(Object::toString).orElse(null));
                g.writeStringField("handed_over_to", r.handedOverTo());
                if (r.lagBytes() != null) {
                    g.writeNumberField("lag_bytes", r.lagBytes());
                }
                if (r.lagTime() != null) {
                    g.writeNumberField("lag_seconds", r.lagTime().toMillis() / 1000.0);
                }
                writeInstant(g, "source_seen_at", r.sourceSeenAt());
                if (r.slot() != null) {
                    g.writeObjectFieldStart("slot");
                    g.writeBooleanField("exists", r.slot().exists());
                    g.writeBooleanField("active", r.slot().active());
                    g.writeStringField("invalidation_reason", r.slot().invalidation());
                    g.writeStringField(
                            "confirmed_flush_lsn",
                            r.slot().confirmedFlush() == null
                                    ? null
                                    : r.slot().confirmedFlush().toString());
                    if (r.slot().retainedBytes() != null) {
                        g.writeNumberField("retained_bytes", r.slot().retainedBytes());
                    }
                    g.writeEndObject();
                }
                g.writeArrayFieldStart("tables");
                for (SyncCatalog.TableStatus ts : r.tables()) {
                    g.writeStartObject();
                    g.writeStringField("table", ts.sourceTable());
                    g.writeStringField("target", ts.target().toString());
                    g.writeStringField("state", ts.state().label());
                    g.writeNumberField("rows_copied", ts.rowsCopied());
                    g.writeNumberField("bytes_copied", ts.bytesCopied());
                    CopyChunks.Progress c = r.chunks().get(ts.sourceTable());
                    if (c != null) {
                        g.writeNumberField("chunks_done", c.done());
                        g.writeNumberField("chunks_total", c.total());
                    }
                    g.writeStringField("error", ts.error());
                    writeInstant(g, "updated_at", ts.updatedAt());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw PgFerryException.fatal("cannot write the status: " + e.getMessage(), "check standard output");
        }
    }

    private static void writeInstant(JsonGenerator g, String field, Instant t) throws IOException {
        g.writeStringField(field, t == null ? null : t.toString());
    }
}
