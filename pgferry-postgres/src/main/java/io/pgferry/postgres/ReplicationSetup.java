package io.pgferry.postgres;

import io.pgferry.core.PgFerryException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a stream's publication, tables and slot before anything is created, then creates what is missing. Existing
 * objects are never altered: a publication that lacks a requested table is an error with the ALTER to run, not a
 * silent change. Every check runs before the first CREATE, so bad input leaves nothing half-made.
 */
final class ReplicationSetup {
    private final Connection sql;
    private final StreamConfig config;

    /** What validation found: what to create, and the tables the stream covers. */
    record Plan(boolean createPublication, Optional<SlotState> slot, List<TableName> tables) {}

    ReplicationSetup(Connection sql, StreamConfig config) {
        this.sql = sql;
        this.config = config;
    }

    Plan validate() throws SQLException {
        boolean pubExists;
        boolean allTables = false;
        // A publication created here publishes every operation; an existing one may leave out UPDATE and DELETE,
        // the only operations that need a replica identity (PostgreSQL docs, "Publication").
        boolean needsIdentity = true;
        try (PreparedStatement ps = sql.prepareStatement(
                "SELECT puballtables, pubupdate OR pubdelete FROM pg_catalog.pg_publication WHERE pubname = ?")) {
            ps.setString(1, config.publication());
            try (ResultSet rs = ps.executeQuery()) {
                pubExists = rs.next();
                if (pubExists) {
                    allTables = rs.getBoolean(1);
                    needsIdentity = rs.getBoolean(2);
                }
            }
        }
        for (TableName t : config.tables()) {
            checkTable(t, needsIdentity);
        }
        List<TableName> tables;
        if (pubExists) {
            List<TableName> published = publishedTables();
            if (!allTables) {
                for (TableName t : config.tables()) {
                    if (!published.contains(t)) {
                        throw PgFerryException.fatal(
                                "publication " + config.publication() + " exists but does not publish " + t,
                                "run ALTER PUBLICATION " + Identifiers.quote(config.publication()) + " ADD TABLE "
                                        + t.quoted() + ", or choose another publication");
                    }
                }
            }
            tables = config.tables().isEmpty() ? published : config.tables();
        } else {
            if (config.tables().isEmpty()) {
                throw PgFerryException.fatal(
                        "publication " + config.publication() + " does not exist",
                        "create it (CREATE PUBLICATION ... FOR TABLE ...), pass its name with --publication, or pass"
                                + " --tables so pgferry creates it");
            }
            tables = config.tables();
        }
        Optional<SlotState> slot = SlotState.find(sql, config.slot());
        if (slot.isPresent()) {
            checkSlot(slot.get());
        }
        return new Plan(!pubExists, slot, List.copyOf(new LinkedHashSet<>(tables)));
    }

    private List<TableName> publishedTables() throws SQLException {
        List<TableName> out = new ArrayList<>();
        try (PreparedStatement ps = sql.prepareStatement(
                "SELECT schemaname, tablename FROM pg_catalog.pg_publication_tables WHERE pubname = ?"
                        + " ORDER BY 1, 2")) {
            ps.setString(1, config.publication());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TableName(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    private void checkTable(TableName t, boolean needsIdentity) throws SQLException {
        try (PreparedStatement ps = sql.prepareStatement("SELECT c.relkind, c.relreplident,"
                + " EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),"
                + " EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw PgFerryException.fatal(
                            "table " + t + " does not exist", "check the name in --tables (quote mixed-case names)");
                }
                String kind = rs.getString(1);
                if (!"r".equals(kind) && !"p".equals(kind)) {
                    throw PgFerryException.fatal(
                            t + " is not a table (relkind " + kind + ")", "publish tables only, not views");
                }
                String identity = rs.getString(2);
                boolean hasPk = rs.getBoolean(3);
                boolean hasIndex = rs.getBoolean(4);
                boolean usable = "f".equals(identity)
                        || ("d".equals(identity) && hasPk)
                        || ("i".equals(identity) && hasIndex);
                if (needsIdentity && !usable) {
                    throw PgFerryException.fatal(
                            "table " + t + " has no usable replica identity, so UPDATE and DELETE on it would fail"
                                    + " once published",
                            "add a primary key, or run ALTER TABLE " + t.quoted() + " REPLICA IDENTITY FULL");
                }
            }
        }
    }

    private void checkSlot(SlotState s) throws SQLException {
        if (!"logical".equals(s.slotType()) || !"pgoutput".equals(s.plugin())) {
            throw PgFerryException.fatal(
                    "slot " + s.name() + " exists with plugin " + s.plugin() + ", not pgoutput",
                    "choose another --slot, or drop it with: pgferry slots drop " + s.name());
        }
        if (!sql.getCatalog().equals(s.database())) {
            throw PgFerryException.fatal(
                    "slot " + s.name() + " belongs to database " + s.database(),
                    "connect to that database, or choose another --slot");
        }
        if (s.active()) {
            throw slotInUse(s.name(), s.activePid());
        }
    }

    static PgFerryException slotInUse(String slot, Integer pid) {
        return PgFerryException.fatal(
                "slot " + slot + " is in use by process " + (pid == null ? "?" : pid),
                "stop the other consumer, or end it with SELECT pg_terminate_backend(" + (pid == null ? "pid" : pid)
                        + "), or choose another --slot");
    }

    /** Creates the publication if the plan says so. Returns whether it did. */
    boolean createPublication(Plan plan) throws SQLException {
        if (!plan.createPublication()) {
            return false;
        }
        StringBuilder ddl = new StringBuilder("CREATE PUBLICATION ")
                .append(Identifiers.quote(config.publication()))
                .append(" FOR TABLE ");
        Set<TableName> seen = new LinkedHashSet<>(plan.tables());
        String sep = "";
        for (TableName t : seen) {
            ddl.append(sep).append(t.quoted());
            sep = ", ";
        }
        try (Statement st = sql.createStatement()) {
            st.execute(ddl.toString());
        }
        return true;
    }

    void dropPublication() throws SQLException {
        try (Statement st = sql.createStatement()) {
            st.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(config.publication()));
        }
    }
}
