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
     * @param unpublished tables the publication lacks, to be added before the slot is created: only ever those of a
     *     publication pgferry created for a slot that does not exist yet, which no stream can have read from
     * @param slot the existing slot, when there is one: a logical pgoutput slot of the connected database, not in use,
     *     with a confirmed_flush_lsn
     */
    record Plan(
            boolean createPublication,
            List<TableName> unpublished,
            Optional<SlotAdmin.SlotInfo> slot,
            List<TableName> tables) {}

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
        Optional<SlotAdmin.SlotInfo> slot = new SlotAdmin(sql, config.source()).find(config.slot());
        if (slot.isPresent()) {
            checkSlot(slot.get());
        }
        List<TableName> tables;
        List<TableName> unpublished = List.of();
        if (publication.exists()
                && slot.isEmpty()
                && Publications.createdFor(sql, config.publication(), config.slot())) {
            // A start that stopped while it was adding tables to its publication, before any slot: nothing has been
            // read through it yet, so completing it loses no change.
            unpublished = config.tables().stream()
                    .filter(t -> !publication.publishes(t))
                    .distinct()
                    .toList();
            tables = config.tables().isEmpty() ? publication.publishedTables() : config.tables();
        } else if (publication.exists()) {
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
        return new Plan(!publication.exists(), unpublished, slot, List.copyOf(new LinkedHashSet<>(tables)));
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
     * Creates the publication, or completes the one a start cut short left, if the plan says so. A failure part way
     * through a creation drops the publication again. Returns whether it created one.
     */
    boolean createPublication(Plan plan) throws SQLException {
        if (plan.createPublication()) {
            Publications.create(sql, config.publication(), config.slot(), plan.tables());
            return true;
        }
        if (!plan.unpublished().isEmpty()) {
            log.info(
                    "publication {} lacks {} of the tables it was created for: adding them",
                    config.publication(),
                    plan.unpublished().size());
            Publications.publish(sql, config.publication(), plan.unpublished());
        }
        return false;
    }

    void dropPublication() throws SQLException {
        try (Statement st = sql.createStatement()) {
            st.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(config.publication()));
        }
    }
}
