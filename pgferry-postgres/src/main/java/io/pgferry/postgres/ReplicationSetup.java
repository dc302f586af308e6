package io.pgferry.postgres;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.admin.Preflight;
import io.pgferry.postgres.admin.PublicationChecks;
import io.pgferry.postgres.admin.Publications;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.admin.SlotLostException;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.catalog.TableFacts;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a stream's publication, tables and slot before anything is created, then creates what is missing. Existing
 * objects are never altered: a publication that lacks a requested table is an error with the ALTER to run, not a
 * silent change. Every check runs before the first CREATE, so bad input leaves nothing half-made.
 */
final class ReplicationSetup {
    private static final Logger log = LoggerFactory.getLogger(ReplicationSetup.class);

    private final Connection sql;
    private final StreamConfig config;

    /**
     * What validation found: what to create, and the tables the stream covers.
     *
     * @param slot the existing slot, when there is one: a logical pgoutput slot of the connected database, not in use,
     *     with a confirmed_flush_lsn
     */
    record Plan(boolean createPublication, Optional<SlotAdmin.SlotInfo> slot, List<TableName> tables) {}

    ReplicationSetup(Connection sql, StreamConfig config) {
        this.sql = sql;
        this.config = config;
    }

    /**
     * Every check, in the order a user would fix them; the catalog reads are those of {@code pgferry check}
     * ({@link PublicationChecks}, {@link TableFacts}, {@link SlotAdmin}), the verdicts and messages are the stream's.
     */
    Plan validate() throws SQLException {
        // Without logical decoding the slot cannot be created: refuse before the publication is.
        String walLevel = Preflight.walLevel(sql);
        if (!"logical".equals(walLevel)) {
            throw PgFerryException.fatal(
                    "wal_level is " + walLevel + "; logical decoding needs wal_level = logical",
                    Connections.walLevelFix());
        }
        // A publication created here publishes every operation; an existing one may leave out UPDATE and DELETE,
        // the only operations that need a replica identity (PostgreSQL docs, "Publication").
        PublicationChecks publication = new PublicationChecks(sql, config.publication());
        for (TableName t : config.tables()) {
            checkTable(t, publication.needsReplicaIdentity());
        }
        List<TableName> tables;
        if (publication.exists()) {
            publication.requirePublished(config.tables());
            tables = config.tables().isEmpty() ? publication.publishedTables() : config.tables();
        } else {
            if (config.tables().isEmpty()) {
                throw PgFerryException.fatal(
                        "publication " + config.publication() + " does not exist",
                        "create it (CREATE PUBLICATION ... FOR TABLE ...), name an existing publication, or give the"
                                + " tables to publish so that pgferry creates it");
            }
            tables = config.tables();
        }
        Optional<SlotAdmin.SlotInfo> slot = new SlotAdmin(sql, config.source()).find(config.slot());
        if (slot.isPresent()) {
            checkSlot(slot.get());
        }
        return new Plan(!publication.exists(), slot, List.copyOf(new LinkedHashSet<>(tables)));
    }

    private void checkTable(TableName t, boolean needsIdentity) throws SQLException {
        TableFacts f = TableFacts.read(sql, t)
                .orElseThrow(() -> PgFerryException.fatal(
                        "table " + t + " does not exist", "check the table names given (quote mixed-case names)"));
        if (!f.isTable()) {
            throw PgFerryException.fatal(
                    t + " is not a table (relkind " + f.relkind() + ")", "publish tables only, not views");
        }
        if (needsIdentity && f.identity() == null) {
            throw PgFerryException.fatal(
                    "table " + t + " has no usable replica identity, so UPDATE and DELETE on it would fail once"
                            + " published",
                    "add a primary key, or run ALTER TABLE " + t.quoted() + " REPLICA IDENTITY FULL");
        }
    }

    private void checkSlot(SlotAdmin.SlotInfo s) throws SQLException {
        if (!"logical".equals(s.slotType()) || !"pgoutput".equals(s.plugin())) {
            throw PgFerryException.fatal(
                    "slot " + s.slotName() + " exists with plugin " + s.plugin() + ", not pgoutput",
                    "choose another slot name, or drop it: " + SlotAdmin.dropSql(s.slotName()));
        }
        if (!sql.getCatalog().equals(s.database())) {
            throw PgFerryException.fatal(
                    "slot " + s.slotName() + " belongs to database " + s.database(),
                    "connect to that database, or choose another slot name");
        }
        if (s.invalidated()) {
            throw SlotLostException.of(s);
        }
        if ("unreserved".equals(s.walStatus())) {
            log.warn(
                    "slot {} holds more WAL than max_slot_wal_keep_size allows: the server invalidates it at its next"
                            + " checkpoint unless the stream catches up first",
                    s.slotName());
        }
        if (s.active()) {
            throw slotInUse(s.slotName(), s.activePid());
        }
        // PostgreSQL sets a logical slot's confirmed position before the creating session lets go of it; a slot
        // without one is no starting point.
        if (s.confirmedFlushLsn() == null) {
            throw PgFerryException.fatal(
                    "slot " + s.slotName() + " has no confirmed position (confirmed_flush_lsn is null)",
                    "choose another slot name, or drop it: " + SlotAdmin.dropSql(s.slotName()));
        }
    }

    static PgFerryException slotInUse(String slot, Integer pid) {
        return PgFerryException.fatal(
                "slot " + slot + " is in use by process " + (pid == null ? "?" : pid),
                "stop the other consumer, or end it with SELECT pg_terminate_backend(" + (pid == null ? "pid" : pid)
                        + "), or choose another slot name");
    }

    /**
     * At most this many tables go into one statement that publishes them. Each statement locks every table it names
     * until it commits, and the server keeps the locks of all its sessions in one table of about {@code
     * max_locks_per_transaction} times {@code max_connections} entries (PostgreSQL docs, "Lock Management"; 6,400 by
     * default): one {@code CREATE PUBLICATION} of some thousands of tables failed with "out of shared memory".
     */
    static final int TABLES_PER_STATEMENT = 100;

    /**
     * Creates the publication if the plan says so, {@link #TABLES_PER_STATEMENT} tables to a statement (the first in
     * its {@code CREATE PUBLICATION}, the others added in transactions of their own). A failure part way drops it
     * again. Returns whether it did.
     */
    boolean createPublication(Plan plan) throws SQLException {
        if (!plan.createPublication()) {
            return false;
        }
        List<List<TableName>> batches = new ArrayList<>();
        List<TableName> all = new ArrayList<>(new LinkedHashSet<>(plan.tables()));
        for (int i = 0; i < all.size(); i += TABLES_PER_STATEMENT) {
            batches.add(all.subList(i, Math.min(all.size(), i + TABLES_PER_STATEMENT)));
        }
        String name = Identifiers.quote(config.publication());
        try (Statement st = sql.createStatement()) {
            // A partitioned table's changes are published under its own name, not its partitions' (PostgreSQL docs,
            // CREATE PUBLICATION); no effect on other tables.
            st.execute("CREATE PUBLICATION " + name + " FOR TABLE " + list(batches.get(0))
                    + " WITH (publish_via_partition_root = true)");
            try {
                // So that removing the sync later may drop it too, when nothing else can be using it.
                Publications.markCreated(sql, config.publication(), config.slot());
                for (List<TableName> batch : batches.subList(1, batches.size())) {
                    st.execute("ALTER PUBLICATION " + name + " ADD TABLE " + list(batch));
                }
            } catch (SQLException | RuntimeException e) {
                try {
                    dropPublication();
                } catch (SQLException d) {
                    e.addSuppressed(d);
                }
                throw e;
            }
        }
        return true;
    }

    private static String list(List<TableName> tables) {
        StringBuilder s = new StringBuilder();
        for (TableName t : tables) {
            s.append(s.length() == 0 ? "" : ", ").append(t.quoted());
        }
        return s.toString();
    }

    void dropPublication() throws SQLException {
        try (Statement st = sql.createStatement()) {
            st.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(config.publication()));
        }
    }
}
