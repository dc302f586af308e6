package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.Relation;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.schema.PgSql;
import io.pgferry.engine.schema.SequenceDef;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.engine.schema.TargetSchema;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.admin.Preflight;
import io.pgferry.postgres.admin.PublicationChecks;
import io.pgferry.postgres.admin.Publications;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks a sync makes before it creates anything, on either side: one sync per slot and target, tables it can
 * apply, target tables a copy may fill. Each failure is one {@link PgFerryException} naming the problem and the fix.
 */
final class SyncChecks {
    private static final Logger log = LoggerFactory.getLogger(SyncChecks.class);

    private SyncChecks() {}

    /**
     * One sync per slot and target: a session-level advisory lock at the target, held by {@code lock} for the whole
     * run (see the PostgreSQL docs, "Advisory Locks").
     */
    static void lock(Connection lock, SyncConfig config) throws SQLException {
        try (PreparedStatement ps = lock.prepareStatement(
                "SELECT pg_catalog.pg_try_advisory_lock(" + "pg_catalog.hashtextextended(?, 0))")) {
            ps.setString(1, "pgferry sync " + config.catalogSchema() + "." + config.slot());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw PgFerryException.fatal(
                            "another pgferry sync with slot " + config.slot() + " is running against this target",
                            "stop it first, or give this sync another slot name");
                }
            }
        }
    }

    /**
     * Brings a resumed sync's catalog up to this release's ({@link SyncCatalog#upgrade}); when the role may not, the
     * sync runs on and only a status read without the source lacks the lag, which the warning says.
     */
    static void upgradeCatalog(Connection target, Dialect dialect, SyncConfig config) {
        SQLException e = SyncCatalog.upgrade(target, dialect, config.catalogSchema());
        if (e != null) {
            log.warn(
                    "could not add this release's tables to the sync's catalog ({}): a status read without the source"
                            + " will not show lag or slot; grant the role CREATE on schema {} to have them",
                    JdbcErrors.classify(e, "catalog upgrade").getMessage(),
                    config.catalogSchema());
        }
    }

    /**
     * A connection to the source that holds the sync's slot for the whole run: a session-level advisory lock, taken
     * before anything is created on either side, so that there is one sync per slot whatever the destination.
     * Without it a second sync of a non-PostgreSQL destination started during the first one's initial copy took that
     * copy for an abandoned one and emptied its tables (issue #7). The source is then checked to stream at all
     * ({@link #requireStreamable}).
     */
    static Connection openSource(SyncConfig config) throws SQLException {
        Connection source = Connections.open(config.source());
        try (PreparedStatement ps =
                source.prepareStatement("SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtextextended(?, 0))")) {
            ps.setString(1, "pgferry sync slot " + config.slot());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw PgFerryException.fatal(
                            "another pgferry sync with slot " + config.slot() + " is running from this source",
                            "stop it first, or give this sync another slot name");
                }
            }
            requireStreamable(source, config);
            return source;
        } catch (SQLException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /**
     * Refuses a source the sync cannot stream from before anything is created on either side: a {@code wal_level}
     * below logical, no replication slot free for a slot the sync must create, or a replication connection refused (a
     * role without the REPLICATION attribute, {@code pg_hba.conf}, no WAL sender free). Regression (issue 5): these
     * were found only when the slot was created, after the target had the sync's catalog and tables.
     */
    static void requireStreamable(Connection source, SyncConfig config) throws SQLException {
        String level = Preflight.walLevel(source);
        if (!"logical".equals(level)) {
            throw PgFerryException.fatal(
                    "the source's wal_level is " + level + "; logical decoding needs wal_level = logical",
                    Connections.walLevelFix());
        }
        try (PreparedStatement ps =
                source.prepareStatement("SELECT pg_catalog.current_setting('max_replication_slots')::int, count(*),"
                        + " count(*) FILTER (WHERE slot_name = ?) FROM pg_catalog.pg_replication_slots")) {
            ps.setString(1, config.slot());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(3) == 0 && rs.getLong(2) >= rs.getLong(1)) {
                    throw PgFerryException.fatal(
                            "the source has no replication slot free for slot " + config.slot() + ": " + rs.getLong(2)
                                    + " in use of max_replication_slots = " + rs.getLong(1),
                            Connections.slotsFix());
                }
            }
        }
        PGConnection replication = Connections.openReplication(config.source());
        ((Connection) replication).close();
    }

    /**
     * The source sequences no column owns whose names the sync's table patterns pick: the sync creates and sets them
     * as it does those its tables' columns read.
     */
    static List<SequenceDef> selectSequences(Connection source, SyncConfig config) throws SQLException {
        return SequenceDef.standalone(
                source,
                TableSelector.matcher(config.include(), config.exclude(), config.catalogSchema()),
                config::targetSchema);
    }

    /**
     * The source tables the sync takes, after checking that every source schema the schema map names exists there: a
     * misspelt one matched no table and its tables went to a schema of their own name.
     */
    static List<TableName> selectTables(Connection source, SyncConfig config) throws SQLException {
        if (!config.schemaMap().isEmpty()) {
            try (PreparedStatement ps = source.prepareStatement(
                    "SELECT s FROM unnest(?::text[]) s WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n"
                            + " WHERE n.nspname = s) ORDER BY 1 LIMIT 1")) {
                ps.setArray(
                        1,
                        source.createArrayOf("text", config.schemaMap().keySet().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        String missing = rs.getString(1);
                        throw PgFerryException.fatal(
                                "the schema map sends source schema " + missing + " to schema "
                                        + config.schemaMap().get(missing) + ", but the source has no schema "
                                        + PgSql.quote(missing),
                                "fix the schema map: each entry is SOURCE:TARGET, SOURCE a schema of the source");
                    }
                }
            }
        }
        return TableSelector.select(source, config.include(), config.exclude(), config.catalogSchema());
    }

    /**
     * Refuses a first start whose publication, one of the user's, leaves out one of {@code names}, before anything is
     * made at the destination. Issue 5: the stream's set-up refused it only after the destination's tables and the
     * sync's catalog had been created. A publication pgferry made for this sync is left to the start's own checks (a
     * copy planned without a table says so).
     */
    static void requirePublished(Connection source, SyncConfig config, List<TableName> names) throws SQLException {
        if (!Publications.createdFor(source, config.publication(), config.slot())) {
            new PublicationChecks(source, config.publication()).requirePublished(names);
        }
    }

    static void checkIdentity(SourceTable t) {
        if (t.replicaIdentity() == 'n'
                || (t.replicaIdentity() == 'd' && t.primaryKey().isEmpty())) {
            throw PgFerryException.fatal(
                    "table " + t.name() + " has no primary key and no replica identity, so its updates and deletes"
                            + " cannot be applied",
                    "add a primary key, or run ALTER TABLE " + t.name().quoted() + " REPLICA IDENTITY FULL");
        }
    }

    /**
     * A slot of the sync's name that exists before a copy began: it cannot be the copy's, whose snapshot only a slot
     * created by the copy gives. Slot names are shared by all the databases of a server, so one made for another
     * database is named with its database.
     *
     * @param where the destination, as the error names it ("the target", "the MySQL destination ...")
     */
    static PgFerryException slotTaken(SlotAdmin.SlotInfo slot, SyncConfig config, String where) {
        String owner = slot.database() == null
                        || slot.database().equals(config.source().dbname())
                ? ""
                : " (made for database " + slot.database() + ": slot names are shared by a server's databases)";
        return PgFerryException.fatal(
                "slot " + config.slot() + " already exists on the source" + owner + ", but " + where + " has no record"
                        + " of a sync using it, so no consistent copy can start from it",
                owner.isEmpty()
                        ? "drop it (" + SlotAdmin.dropSql(config.slot()) + ") or choose another slot name"
                        : "choose another slot name, or drop it (" + SlotAdmin.dropSql(config.slot()) + ") if "
                                + slot.database() + " no longer needs it");
    }

    /**
     * Refuses a publication of the user's that publishes a partitioned table of the sync through its partitions
     * ({@code publish_via_partition_root} off): their changes would arrive under the partitions' names, while the sync
     * writes the table's rows into one target table of the root's name. A publication pgferry makes publishes through
     * the root.
     */
    static void checkPartitionRoot(Connection source, SyncConfig config, List<SourceTable> tables) throws SQLException {
        Optional<SourceTable> partitioned = tables.stream()
                .filter(t -> t.leaves().size() != 1 || t.leaves().get(0).oid() != t.oid())
                .findFirst();
        if (partitioned.isEmpty()) {
            return;
        }
        try (PreparedStatement ps =
                source.prepareStatement("SELECT NOT pubviaroot FROM pg_catalog.pg_publication WHERE pubname = ?")) {
            ps.setString(1, config.publication());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    throw PgFerryException.fatal(
                            "publication " + config.publication() + " publishes partitioned table "
                                    + partitioned.get().name() + " through its partitions, whose changes would"
                                    + " arrive under their own names",
                            "sync through a publication that publishes it through its root (one pgferry makes"
                                    + " does; ALTER PUBLICATION " + PgSql.quote(config.publication())
                                    + " SET (publish_via_partition_root = true) changes what its other subscribers"
                                    + " receive too), or leave the table out");
                }
            }
        }
    }

    static boolean catalogExists(Connection target, SyncConfig config) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT pg_catalog.to_regclass(?) IS NOT NULL")) {
            ps.setString(1, PgSql.quote(config.catalogSchema()) + ".sync_progress");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Refuses target tables another sync of the same catalog writes (a second sync of one source under another slot
     * name would apply every change twice, and two sources would overwrite each other's rows in an order neither
     * chose); {@code targets} by source table. Issue 5.
     */
    static void refuseOtherWriters(
            Connection target, SyncCatalog catalog, Map<TableName, TargetTable> targets, String where)
            throws SQLException {
        Map<TargetTable, String> others = catalog.otherWriters(target, targets.values());
        for (Map.Entry<TableName, TargetTable> t : targets.entrySet()) {
            String other = others.get(t.getValue());
            if (other != null) {
                throw PgFerryException.fatal(
                        "target table " + t.getValue() + " for " + t.getKey() + " is written by sync " + other + " at "
                                + where + ", which sync " + catalog.syncName() + " would repeat or overwrite",
                        "remove sync " + other + " first (its slot and its records at the target), or map schema "
                                + t.getKey().schema() + " elsewhere");
            }
        }
    }

    /** A snapshot copy needs empty target tables: it would otherwise add to rows of unknown origin. */
    static void requireEmpty(Connection target, TargetSchema.Plan plan, List<SourceTable> tables) throws SQLException {
        for (SourceTable t : tables) {
            if (plan.created(t.name())) {
                continue;
            }
            TargetTable tt = plan.targets().get(t.name());
            try (Statement st = target.createStatement();
                    ResultSet rs = st.executeQuery(
                            "SELECT EXISTS (SELECT 1 FROM " + PgSql.qualified(tt.schema(), tt.table()) + ")")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw PgFerryException.fatal(
                            "target table " + tt + " already holds rows, and the initial copy would add the source's"
                                    + " to them",
                            "empty it (TRUNCATE), or use copy mode none if it already holds the source's rows");
                }
            }
        }
    }

    /**
     * A chunked copy splits each table by its primary key and replays the changes made meanwhile by the same key,
     * so every table needs one, with the default replica identity (the key is then what the changes carry), and an
     * existing target table needs a unique index on those columns for the replayed inserts.
     */
    static void checkChunkable(
            Connection target, List<SourceTable> tables, TargetSchema.Plan plan, boolean checkTarget, Dialect dialect)
            throws SQLException {
        checkChunkable(
                target,
                tables,
                plan.targets(),
                plan::created,
                checkTarget,
                dialect,
                (tt, key) -> postgresUniqueKey(target, tt, key));
    }

    /** Whether a table has a unique index on exactly some columns. */
    @FunctionalInterface
    interface UniqueKey {
        boolean exists(TargetTable table, List<String> columns) throws SQLException;
    }

    /** As above, for any destination database: {@code uniqueKey} reads its catalog. */
    static void checkChunkable(
            Connection target,
            List<SourceTable> tables,
            Map<TableName, TargetTable> targets,
            Predicate<TableName> created,
            boolean checkTarget,
            Dialect dialect,
            UniqueKey uniqueKey)
            throws SQLException {
        for (SourceTable t : tables) {
            if (t.primaryKey().isEmpty() || t.replicaIdentity() != 'd') {
                throw PgFerryException.fatal(
                        "table " + t.name() + " cannot be copied in chunks: it has "
                                + (t.primaryKey().isEmpty()
                                        ? "no primary key"
                                        : "a replica identity other than" + " DEFAULT")
                                + ", and the chunks and the replay of the changes made during"
                                + " the copy go by primary key",
                        t.primaryKey().isEmpty()
                                ? "add a primary key, or use copy mode snapshot"
                                : "run ALTER TABLE " + t.name().quoted() + " REPLICA IDENTITY DEFAULT, or use copy"
                                        + " mode snapshot");
            }
            if (!checkTarget || created.test(t.name())) {
                continue;
            }
            TargetTable tt = targets.get(t.name());
            if (!uniqueKey.exists(tt, t.primaryKey())) {
                throw PgFerryException.fatal(
                        "target table " + tt + " has no primary key or unique index on the source's key "
                                + t.primaryKey() + ", which the replay after a chunked copy needs",
                        "add one at the target, or use copy mode snapshot");
            }
            if (dialect.hasSecondaryUnique(target, tt)) {
                log.warn(
                        "target table {} has a unique constraint besides its key: the replay after the chunked copy"
                                + " may violate it on the way, which stops the sync (drop it for the copy and add it"
                                + " back once the table is streaming)",
                        tt);
            }
        }
    }

    private static boolean postgresUniqueKey(Connection target, TargetTable tt, List<String> key) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index i"
                + " WHERE i.indrelid = ?::regclass AND i.indisunique AND i.indpred IS NULL"
                + " AND i.indexprs IS NULL AND (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attname)"
                + " FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey))"
                + " = (SELECT pg_catalog.array_agg(k ORDER BY k) FROM pg_catalog.unnest(?::text[]) k))")) {
            ps.setString(1, PgSql.qualified(tt.schema(), tt.table()));
            ps.setArray(2, target.createArrayOf("text", key.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The target table of a change's relation; a change of a table the sync does not copy stops it. */
    static TargetTable targetOf(Map<TableName, TargetTable> targets, Relation r) {
        TargetTable t = targets.get(new TableName(r.schema(), r.table()));
        if (t == null) {
            throw PgFerryException.fatal(
                    "a change arrived for table " + r + ", which this sync does not copy",
                    "remove the table from the publication, or add it to the sync's tables");
        }
        return t;
    }
}
