package io.pgferry.cli.stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.command.PgferryCommand;
import io.pgferry.cli.command.SourceOption;
import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.admin.SlotAdmin.SlotInfo;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pgferry slots list|drop}: see and remove replication slots, which hold WAL back until consumed. */
@Command(
        name = "slots",
        mixinStandardHelpOptions = true,
        description = "List or drop replication slots.",
        subcommands = {SlotsCommand.ListSlots.class, SlotsCommand.DropSlot.class})
public final class SlotsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** {@code pgferry slots} alone: usage on stderr, exit {@link ExitCodes#USAGE}. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the replication slots of the source database with the WAL each one retains and"
                    + " whether the server invalidated it.")
    static final class ListSlots extends PgferryCommand {
        static final String[] HEADER = {
            "slot_name",
            "plugin",
            "slot_type",
            "database",
            "active",
            "active_pid",
            "confirmed_flush_lsn",
            "restart_lsn",
            "retained_wal_bytes",
            "two_phase",
            "wal_status",
            "safe_wal_bytes",
            "invalidation_reason"
        };

        @Mixin
        SourceOption source;

        @Option(names = "--all", description = "Every slot on the server, not only this database's.")
        boolean all;

        @Option(names = "--json", description = "One JSON object per slot per line.")
        boolean json;

        @Override
        protected int run() {
            Dsn dsn = source.dsn();
            List<SlotInfo> slots;
            try (Connection c = Connections.open(dsn)) {
                SlotAdmin admin = new SlotAdmin(c, dsn);
                slots = all ? admin.listAll() : admin.list();
            } catch (SQLException e) {
                throw Connections.classify(e, dsn);
            }
            if (json) {
                writeJson(slots, out());
            } else {
                writeTable(slots, out());
            }
            out().flush();
            return ExitCodes.OK;
        }

        static void writeTable(List<SlotInfo> slots, PrintWriter out) {
            List<String[]> rows = new ArrayList<>();
            rows.add(HEADER);
            for (SlotInfo s : slots) {
                rows.add(new String[] {
                    s.slotName(),
                    text(s.plugin()),
                    s.slotType(),
                    text(s.database()),
                    Boolean.toString(s.active()),
                    text(s.activePid()),
                    text(s.confirmedFlushLsn()),
                    text(s.restartLsn()),
                    text(s.retainedWalBytes()),
                    text(s.twoPhase()),
                    text(s.walStatus()),
                    text(s.safeWalBytes()),
                    text(s.invalidation())
                });
            }
            int[] widths = new int[HEADER.length];
            for (String[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    widths[i] = Math.max(widths[i], row[i].length());
                }
            }
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.length; i++) {
                    line.append(row[i]);
                    if (i < row.length - 1) {
                        line.append(" ".repeat(widths[i] - row[i].length() + 2));
                    }
                }
                out.println(line);
            }
            if (slots.isEmpty()) {
                out.println("(no replication slots)");
            }
        }

        static void writeJson(List<SlotInfo> slots, PrintWriter out) {
            try (JsonGenerator g =
                    new JsonFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
                for (SlotInfo s : slots) {
                    g.writeStartObject();
                    g.writeStringField("slot_name", s.slotName());
                    writeNullable(g, "plugin", s.plugin());
                    g.writeStringField("slot_type", s.slotType());
                    writeNullable(g, "database", s.database());
                    g.writeBooleanField("active", s.active());
                    if (s.activePid() == null) {
                        g.writeNullField("active_pid");
                    } else {
                        g.writeNumberField("active_pid", s.activePid());
                    }
                    writeNullable(g, "confirmed_flush_lsn", s.confirmedFlushLsn());
                    writeNullable(g, "restart_lsn", s.restartLsn());
                    if (s.retainedWalBytes() == null) {
                        g.writeNullField("retained_wal_bytes");
                    } else {
                        g.writeNumberField("retained_wal_bytes", s.retainedWalBytes());
                    }
                    if (s.twoPhase() == null) {
                        g.writeNullField("two_phase");
                    } else {
                        g.writeBooleanField("two_phase", s.twoPhase());
                    }
                    writeNullable(g, "wal_status", s.walStatus());
                    if (s.safeWalBytes() == null) {
                        g.writeNullField("safe_wal_bytes");
                    } else {
                        g.writeNumberField("safe_wal_bytes", s.safeWalBytes());
                    }
                    writeNullable(g, "invalidation_reason", s.invalidation());
                    g.writeEndObject();
                    g.writeRaw('\n');
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void writeNullable(JsonGenerator g, String field, Object value) throws IOException {
            if (value == null) {
                g.writeNullField(field);
            } else {
                g.writeStringField(field, value.toString());
            }
        }

        private static String text(Object value) {
            return value == null ? "-" : value instanceof Lsn lsn ? lsn.toString() : value.toString();
        }
    }

    @Command(
            name = "drop",
            mixinStandardHelpOptions = true,
            description = "Drop a replication slot that is not in use.")
    static final class DropSlot extends PgferryCommand {
        @Mixin
        SourceOption source;

        @Parameters(paramLabel = "NAME", description = "Slot to drop ([a-z0-9_], at most 63 characters).")
        String name;

        @Override
        protected int run() {
            try {
                SlotAdmin.checkSlotName(name);
            } catch (PgFerryException e) {
                throw configurationError(e);
            }
            Dsn dsn = source.dsn();
            try (Connection c = Connections.open(dsn)) {
                new SlotAdmin(c, dsn).drop(name);
            } catch (SQLException e) {
                throw Connections.classify(e, dsn);
            }
            out().println("dropped replication slot " + name);
            out().flush();
            return ExitCodes.OK;
        }
    }
}
