package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.PostgresDialect;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.jdbc.foreign.JdbcTarget;
import io.pgferry.kafka.KafkaPositions;
import io.pgferry.kafka.KafkaTableStates;
import io.pgferry.kafka.KafkaTarget;
import io.pgferry.postgres.admin.Publications;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Removes a sync for good: its replication slot at the source, then its records at the target (position, table
 * states, copy plan and view of the source, in the {@link SyncCatalog} tables or in the Kafka offsets and table-state
 * topics), and the catalog tables once no sync is left in them. The publication goes only when pgferry created it for
 * this sync and no other logical slot is left in the database ({@link Publications}). The target's tables and rows
 * and the tables' topics stay: data is never removed. A {@code publication} of null is the one a sync configured
 * without one streams through ({@link SyncPublication}).
 *
 * <p>Everything is checked before anything is removed: a slot in use (the sync still runs), a slot of another
 * database, or a slot a native subscription at a PostgreSQL target took over ({@code --then-subscribe}) stops the
 * removal with nothing changed. The slot goes first, so that the sync cannot resume while its records go; the
 * position goes last, so that a removal cut short leaves the sync listed and running it again finishes it.
 */
public final class SyncTeardown {
    /**
     * What was removed.
     *
     * @param slotDropped the slot existed and was dropped
     * @param recordsRemoved the target held records of the sync, now removed
     * @param catalogDropped no sync was left, so the catalog's tables (or, for Kafka, nothing) were dropped too
     * @param publicationDropped pgferry had created the publication for this sync, and no other slot was left to use
     *     it, so it was dropped
     * @param publicationExists the publication still exists at the source
     */
    public record Result(
            String sync,
            boolean slotDropped,
            boolean recordsRemoved,
            boolean catalogDropped,
            String publication,
            boolean publicationDropped,
            boolean publicationExists) {}

    private SyncTeardown() {}

    /** Removes sync {@code slot} from the source and from PostgreSQL target {@code target}. */
    public static Result drop(Dsn source, String slot, String publication, Dsn target, String catalogSchema) {
        PostgresDialect dialect = new PostgresDialect();
        try (Connection t = Connections.open(target)) {
            boolean has = SyncStatus.exists(t, dialect.quote(catalogSchema) + ".sync_progress")
                    && SyncCatalog.syncNames(t, dialect, catalogSchema).contains(slot);
            Optional<String> subscription = HandOver.subscriptionUsing(t, slot);
            if (subscription.isPresent()) {
                throw PgFerryException.fatal(
                        "slot " + slot + " is the slot of subscription " + Identifiers.display(subscription.get())
                                + " at the target (the sync handed over to it)",
                        "drop the subscription at the target (DROP SUBSCRIPTION "
                                + Identifiers.quote(subscription.get())
                                + " drops the slot too), then remove the sync again");
            }
            Source s = Source.check(source, slot, publication, has, describe(target));
            s.dropSlotAndPublication();
            return removeRecords(s, t, dialect, catalogSchema, has);
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not remove sync " + slot + " from the target");
        }
    }

    /** Removes sync {@code slot} from the source and from MySQL, MariaDB, SQLite or SQL Server target {@code target}. */
    public static Result drop(Dsn source, String slot, String publication, JdbcTarget target, String catalogSchema) {
        try (Connection t = target.connect()) {
            Dialect dialect = target.dialect(t, Unrepresentable.ERROR);
            boolean has;
            try {
                has = SyncCatalog.syncNames(t, dialect, catalogSchema).contains(slot);
            } catch (SQLException e) {
                has = false; // no catalog: no sync ever ran against this target
            }
            Source s = Source.check(source, slot, publication, has, target.description());
            s.dropSlotAndPublication();
            return removeRecords(s, t, dialect, catalogSchema, has);
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not remove sync " + slot + " from " + target.description());
        }
    }

    /** Removes the sync of Kafka target {@code target} (its sync name is the slot) from the source and from Kafka. */
    public static Result drop(Dsn source, String publication, KafkaTarget target) {
        String slot = target.syncName();
        boolean positioned = !KafkaPositions.readAll(target, true).isEmpty();
        KafkaTableStates.Contents recorded = KafkaTableStates.read(target, slot);
        List<KafkaTableStates.Stored> states = recorded.tables().getOrDefault(slot, List.of());
        Source s = Source.check(
                source, slot, publication, positioned || !states.isEmpty(), "topic prefix " + target.topicPrefix());
        s.dropSlotAndPublication();
        try (KafkaTableStates tables = new KafkaTableStates(target)) {
            tables.remove(states.stream().map(KafkaTableStates.Stored::table).toList());
            if (recorded.sources().containsKey(slot)) {
                tables.removeSource();
            }
        }
        if (positioned) {
            try (KafkaPositions positions = new KafkaPositions(target)) {
                positions.remove();
            }
        }
        return new Result(
                slot,
                s.slot.isPresent(),
                positioned || !states.isEmpty(),
                false,
                s.publication,
                s.publicationDropped,
                s.publicationExists && !s.publicationDropped);
    }

    private static Result removeRecords(Source s, Connection t, Dialect dialect, String schema, boolean has)
            throws SQLException {
        boolean dropped = false;
        if (has) {
            new SyncCatalog(dialect, schema, s.slotName).remove(t);
            dropped = SyncCatalog.dropIfEmpty(t, dialect, schema);
        }
        return new Result(
                s.slotName,
                s.slot.isPresent(),
                has,
                dropped,
                s.publication,
                s.publicationDropped,
                s.publicationExists && !s.publicationDropped);
    }

    /** The source's side, read and checked before anything is removed. */
    private static final class Source {
        final Dsn dsn;
        final String slotName;
        final String publication;
        final Optional<SlotAdmin.SlotInfo> slot;
        final boolean publicationExists;
        boolean publicationDropped;

        private Source(
                Dsn dsn,
                String slotName,
                String publication,
                Optional<SlotAdmin.SlotInfo> slot,
                boolean publicationExists) {
            this.dsn = dsn;
            this.slotName = slotName;
            this.publication = publication;
            this.slot = slot;
            this.publicationExists = publicationExists;
        }

        /**
         * Reads the slot and the publication; refuses a slot in use or of another database, and a sync found
         * nowhere ({@code targetHasIt} false and no slot): a misspelt name must not pass for a removal.
         */
        static Source check(Dsn dsn, String slotName, String publication, boolean targetHasIt, String target) {
            SlotAdmin.checkSlotName(slotName);
            try (Connection c = Connections.open(dsn)) {
                Optional<SlotAdmin.SlotInfo> slot = new SlotAdmin(c, dsn).find(slotName);
                if (slot.isPresent() && !dsn.dbname().equals(slot.get().database())) {
                    throw PgFerryException.fatal(
                            "slot " + slotName + " belongs to database "
                                    + (slot.get().database() == null
                                            ? "none (a physical slot)"
                                            : Identifiers.display(slot.get().database()))
                                    + ", not to the source's " + Identifiers.display(dsn.dbname()),
                            "give the source DSN of the database the sync reads, or the sync's own slot name");
                }
                if (slot.isPresent() && slot.get().active()) {
                    throw PgFerryException.fatal(
                            "slot " + slotName + " is in use"
                                    + (slot.get().activePid() == null
                                            ? ""
                                            : " by process " + slot.get().activePid())
                                    + ": the sync is running",
                            "stop the sync (SIGTERM or Ctrl-C), then remove it");
                }
                if (slot.isEmpty() && !targetHasIt) {
                    throw PgFerryException.fatal(
                            "no sync named " + slotName
                                    + ": no slot of that name at the source and no records of it at " + target,
                            "check the slot name (pgferry status lists the syncs a target holds)");
                }
                String named = publication != null ? publication : SyncPublication.of(c, dsn, slotName);
                return new Source(dsn, slotName, named, slot, publicationExists(c, named));
            } catch (SQLException e) {
                throw Connections.classify(e, dsn);
            }
        }

        /** Drops the slot, then the publication if it was only this sync's. */
        void dropSlotAndPublication() {
            try (Connection c = Connections.open(dsn)) {
                if (slot.isPresent()) {
                    new SlotAdmin(c, dsn).drop(slotName);
                }
                publicationDropped = publicationExists && Publications.dropIfOnlyFor(c, publication, slotName);
            } catch (SQLException e) {
                throw Connections.classify(e, dsn);
            }
        }

        private static boolean publicationExists(Connection c, String name) throws SQLException {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }
    }

    private static String describe(Dsn target) {
        return target.endpoints() + "/" + target.dbname();
    }
}
