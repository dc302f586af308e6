package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.copy.CopyProgress;
import io.pgferry.engine.copy.Masks;
import io.pgferry.engine.copy.SnapshotCopy;
import io.pgferry.engine.schema.PgSql;
import io.pgferry.engine.schema.Rehearsal;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.engine.schema.TargetSchema;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.postgres.SnapshotSlot;
import io.pgferry.postgres.admin.PublicationChecks;
import io.pgferry.postgres.admin.Publications;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tables added to a sync into a SQL destination that streams already: tables its patterns match that were not part
 * of it when it began (created at the source since, say). On the sync's next start, in copy modes other than none,
 * each is published (when the sync's publication is pgferry's own; one you gave must publish it already), created at
 * the target and copied from a snapshot of its own ({@link SnapshotSlot}; the foreign destinations' copy lives in
 * {@link ForeignSync}) while the sync's slot and position stay
 * where they are; the sync then streams from its position and applies an added table's changes from its snapshot's
 * consistent point on ({@link AppliedFrom}), as a subscription does for a table that {@code ALTER SUBSCRIPTION ...
 * REFRESH PUBLICATION} adds (PostgreSQL docs, "Logical Replication", "Initial Snapshot").
 *
 * <p><b>Crash safety.</b> An added table's {@code apply_from} in the target's {@code table_state} is {@link
 * #UNFINISHED} from before the table is created until the transaction that records its copy's consistent point and
 * its state; a start that finds it so drops the table the sync created (or empties one it did not) and adds it again,
 * the snapshot being gone with the process that took it. An addition never moves the sync's own position.
 */
final class AddedTables {
    private static final Logger log = LoggerFactory.getLogger(AddedTables.class);

    /** {@code apply_from} of a table whose addition began and did not finish. */
    static final long UNFINISHED = 0;

    /**
     * What a run takes.
     *
     * @param names the tables it streams: those it had and those it adds
     * @param adding the tables to copy before it streams: new ones, and those whose addition did not finish
     */
    record Selection(List<TableName> names, List<TableName> adding, List<TableName> identity) {
        /** A sync that begins: every matched table, nothing to add, its identity its tables. */
        static Selection fresh(List<TableName> matched) {
            return new Selection(matched, List.of(), List.of());
        }
    }

    private AddedTables() {}

    /**
     * What a run takes. A sync that begins takes every matched table, each of which must be in the publication. One
     * that {@code resumes} first brings its catalog up to this release's, then takes the tables it streams, those it
     * adds, and the tables its identity covers (those its destination records, and those it adds: a table dropped at
     * the source stays recorded, so the stored position stays the sync's own).
     */
    static Selection forRun(
            SyncConfig config,
            Dialect dialect,
            Connection source,
            Connection target,
            SyncCatalog catalog,
            List<TableName> matched,
            boolean resumes,
            String where)
            throws SQLException {
        if (!resumes) {
            SyncChecks.requirePublished(source, config, matched);
            return Selection.fresh(matched);
        }
        SyncChecks.upgradeCatalog(target, dialect, config);
        List<SyncCatalog.TableStatus> states = catalog.states(target);
        // A removed table matched again is added again, copied afresh: its target rows missed what it left out.
        List<String> part = states.stream()
                .filter(st -> st.state() != TableState.REMOVED)
                .map(SyncCatalog.TableStatus::sourceTable)
                .toList();
        RemovedTables.refuseMistypedNarrowing(config, source, part, matched);
        List<TableName> adding = new ArrayList<>();
        Map<String, Long> from = applyFromColumn(target, dialect, config);
        List<TableName> names = from == null
                ? ResumedTables.keep(matched, part, config.slot(), where)
                : choose(config, dialect, source, target, matched, part, from, adding, where);
        RemovedTables.record(config, source, target, catalog, states, names);
        Set<TableName> identity = new LinkedHashSet<>();
        SyncEngine.sourceTables(states).forEach(t -> identity.add(TableName.parse(t)));
        identity.addAll(adding);
        return new Selection(names, List.copyOf(adding), List.copyOf(identity));
    }

    /** The tables a resumed sync streams; those it adds go to {@code adding}. */
    private static List<TableName> choose(
            SyncConfig config,
            Dialect dialect,
            Connection source,
            Connection target,
            List<TableName> matched,
            List<String> part,
            Map<String, Long> from,
            List<TableName> adding,
            String where)
            throws SQLException {
        boolean ours = Publications.createdFor(source, config.publication(), config.slot());
        PublicationChecks publication = new PublicationChecks(source, config.publication());
        Map<String, String> others = otherSyncs(target, dialect, config);
        Set<String> known = new HashSet<>(part);
        List<TableName> names = new ArrayList<>();
        for (TableName t : matched) {
            Long f = from.get(t.toString());
            if (known.contains(t.toString())) {
                names.add(t);
                if ((f != null && f == UNFINISHED) || leftPublication(config, t, ours, publication)) {
                    adding.add(t);
                }
            } else if (others.containsKey(t.toString())) {
                log.warn(
                        "table {} matches the tables of sync {} but was not part of it when it began, and sync {}"
                                + " syncs it into the same target: the sync leaves it out",
                        t,
                        config.slot(),
                        others.get(t.toString()));
            } else if (addable(config, t, ours, publication)) {
                names.add(t);
                adding.add(t);
            }
        }
        if (names.isEmpty()) {
            // None left: the error that names the tables the sync began with.
            ResumedTables.keep(matched, part, config.slot(), where);
        }
        return names;
    }

    /**
     * Whether table {@code t}, new to the sync, can be added; if not, says why in a warning naming the way to add it:
     * copy mode none copies nothing, and a publication pgferry did not create is altered only by its owner.
     */
    static boolean addable(SyncConfig config, TableName t, boolean ours, PublicationChecks publication)
            throws SQLException {
        if (config.copyMode() == CopyMode.NONE) {
            log.warn(
                    "table {} matches the tables of sync {} but was not part of it when it began; in copy mode none"
                            + " the sync leaves it out (start it in copy mode snapshot to add the table with its rows)",
                    t,
                    config.slot());
            return false;
        }
        if (!ours && !publication.publishes(t)) {
            log.warn(
                    "table {} matches the tables of sync {} but was not part of it when it began, and publication {},"
                            + " which the sync did not create, does not publish it: the sync leaves it out (to add it,"
                            + " run ALTER PUBLICATION {} ADD TABLE {} and start the sync again)",
                    t,
                    config.slot(),
                    config.publication(),
                    PgSql.quote(config.publication()),
                    t.quoted());
            return false;
        }
        return true;
    }

    /**
     * Whether table {@code t}, one the sync streams, has left the publication pgferry created for the sync (an
     * {@code ALTER PUBLICATION ... DROP TABLE} by hand): its changes since were not decoded, and adding it back does
     * not bring them (the slot decodes past WAL under the publication as it was then), so the sync copies it afresh,
     * saying why. Regression (issue 5): the start refused with "run ALTER PUBLICATION ... ADD TABLE", and a sync
     * started again after that left the target without those changes for good. In copy mode none, and with a
     * publication of the user's, the stream's own check refuses the start instead.
     */
    static boolean leftPublication(SyncConfig config, TableName t, boolean ours, PublicationChecks publication) {
        if (!ours || config.copyMode() == CopyMode.NONE || !publication.exists() || publication.publishes(t)) {
            return false;
        }
        log.warn(
                "table {} of sync {} is no longer in publication {}, which the sync created (taken out by hand?): its"
                        + " changes since were not streamed, so the sync copies it afresh",
                t,
                config.slot(),
                config.publication());
        return true;
    }

    /**
     * Publishes, creates and copies {@code adding} (tables of {@code all}), through target sessions from {@code
     * targetSessions}; returns once their rows are durable at the target with the position their changes apply from.
     */
    static void add(
            SyncConfig config,
            Dialect dialect,
            Connection source,
            Connection target,
            List<SourceTable> all,
            List<TableName> adding,
            TargetSchema schema,
            SyncCatalog catalog,
            Masks masks,
            Supplier<Connection> targetSessions,
            Consumer<CopyProgress> onStart,
            UnaryOperator<String> fingerprint)
            throws SQLException {
        List<SourceTable> tables =
                all.stream().filter(t -> adding.contains(t.name())).toList();
        Map<String, SyncCatalog.TableStatus> recorded = new HashMap<>();
        for (SyncCatalog.TableStatus s : catalog.states(target)) {
            recorded.put(s.sourceTable(), s);
        }
        try (Statement st = target.createStatement()) {
            for (SourceTable t : tables) {
                SyncCatalog.TableStatus r = recorded.get(t.name().toString());
                if (r != null) {
                    recopying(t.name().toString(), r.state(), config.slot());
                    String qualified =
                            PgSql.qualified(r.target().schema(), r.target().table());
                    st.execute(r.createdBySync() ? "DROP TABLE IF EXISTS " + qualified : "TRUNCATE " + qualified);
                }
            }
        }
        TargetSchema.Plan plan = schema.plan(all);
        SyncChecks.requireEmpty(target, plan, tables);
        Rehearsal.run(target, tables, plan);
        // Recorded before the tables are made: a start after a crash finds them unfinished and makes them again.
        for (SourceTable t : tables) {
            String name = t.name().toString();
            catalog.setState(
                    target, name, plan.targets().get(t.name()), TableState.INIT, 0, 0, plan.created(t.name()), null);
            setApplyFrom(target, dialect, config, name, UNFINISHED);
        }
        schema.create(plan);
        publish(config, source, adding);
        log.warn(
                "adding {} to sync {}: copying from a snapshot of their own, then streaming on from {}",
                adding,
                config.slot(),
                catalog.position(target)
                        .flatMap(SyncCatalog.Position::lsn)
                        .map(Lsn::toString)
                        .orElse("?"));
        try (SnapshotSlot snapshot = SnapshotSlot.create(config.source(), snapshotSlotName(config.slot()))) {
            SnapshotCopy.ofAddedTables(
                            config,
                            tables,
                            all,
                            plan,
                            catalog,
                            () -> Connections.open(config.source()),
                            targetSessions,
                            onStart,
                            masks,
                            (states, point) -> recordCopied(
                                    states,
                                    dialect,
                                    config,
                                    adding,
                                    point,
                                    fingerprint.apply(snapshot.systemIdentifier())))
                    .copy(snapshot.snapshotName(), snapshot.consistentPoint(), adding);
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw copyFailed(config, adding, e);
        }
    }

    /**
     * Says why a table the sync records is copied again: an addition that did not finish, or a removed table; one that
     * streamed left the publication, which {@link #leftPublication} said.
     */
    static void recopying(String table, TableState state, String sync) {
        if (state == TableState.REMOVED) {
            log.warn(
                    "table {} is one of the tables of sync {} again: copying it afresh (the target's rows of it are"
                            + " from before it left the sync)",
                    table,
                    sync);
        } else if (state == TableState.INIT || state == TableState.COPYING) {
            log.warn("the addition of table {} to sync {} did not finish: copying it again", table, sync);
        }
    }

    /** The failure of an added table's copy that is neither an SQL error nor a runtime one. */
    static PgFerryException copyFailed(SyncConfig config, List<TableName> adding, Exception e) {
        return PgFerryException.fatal(
                "could not add " + adding + " to sync " + config.slot() + ": " + e.getMessage(), "see the cause", e);
    }

    /** Adds {@code adding} to the sync's publication when pgferry created it (one of the user's publishes them). */
    static void publish(SyncConfig config, Connection source, List<TableName> adding) throws SQLException {
        if (Publications.createdFor(source, config.publication(), config.slot())) {
            Publications.addTables(source, config.publication(), adding);
        }
    }

    /** Where the changes of each added table apply from, as the target records it. */
    static AppliedFrom appliedFrom(Connection target, Dialect dialect, SyncConfig config) {
        Map<String, Long> from = applyFromColumn(target, dialect, config);
        Map<TableName, Lsn> out = new LinkedHashMap<>();
        if (from != null) {
            from.forEach((table, lsn) -> {
                if (lsn != UNFINISHED) {
                    out.put(TableName.parse(table), Lsn.of(lsn));
                }
            });
        }
        return out.isEmpty() ? AppliedFrom.NONE : new AppliedFrom(out);
    }

    /** A name for the temporary slot, unique while the sync's slot is held, within the 63 bytes a name may have. */
    static String snapshotSlotName(String slot) {
        return (slot.length() > 59 ? slot.substring(0, 59) : slot) + "_add";
    }

    /** The source tables other syncs of the same records take, each with the sync's name. */
    private static Map<String, String> otherSyncs(Connection target, Dialect dialect, SyncConfig config)
            throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = target.prepareStatement(
                "SELECT source_table, sync_name FROM " + dialect.catalogTable(config.catalogSchema(), "table_state")
                        + " WHERE sync_name <> ? AND state <> ?")) {
            ps.setString(1, config.slot());
            ps.setString(2, TableState.REMOVED.label());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /**
     * {@code apply_from} of the sync's tables that have one, after adding the column to a catalog an earlier release
     * made; null when the catalog lacks it and the role may not add it, so no table can be added.
     */
    private static Map<String, Long> applyFromColumn(Connection target, Dialect dialect, SyncConfig config) {
        String table = dialect.catalogTable(config.catalogSchema(), "table_state");
        Map<String, Long> out = new HashMap<>();
        try {
            try (Statement st = target.createStatement()) {
                st.executeQuery("SELECT apply_from FROM " + table + " WHERE 1 = 0")
                        .close();
            } catch (SQLException e) {
                try (Statement st = target.createStatement()) {
                    st.execute("ALTER TABLE " + table + " ADD apply_from BIGINT");
                }
            }
            try (PreparedStatement ps = target.prepareStatement("SELECT source_table, apply_from FROM " + table
                    + " WHERE sync_name = ? AND apply_from IS NOT NULL")) {
                ps.setString(1, config.slot());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            log.warn(
                    "sync {} cannot add tables: its records at the target lack this release's column apply_from ({})",
                    config.slot(),
                    JdbcErrors.classify(e, "table_state").getMessage());
            return null;
        }
    }

    /**
     * Records a finished copy of {@code tables} in the caller's transaction: the position each one's changes apply
     * from, and the stream's new identity, which covers its tables (the stored position is the longer list's now).
     * Both at once: with one and not the other a start would copy a finished table again, or refuse the position.
     */
    static void recordCopied(
            Connection c, Dialect dialect, SyncConfig config, List<TableName> tables, Lsn point, String fingerprint)
            throws SQLException {
        for (TableName t : tables) {
            setApplyFrom(c, dialect, config, t.toString(), point.value());
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE "
                + dialect.catalogTable(config.catalogSchema(), "sync_progress")
                + " SET fingerprint = ? WHERE sync_name = ?")) {
            ps.setString(1, fingerprint);
            ps.setString(2, config.slot());
            ps.executeUpdate();
        }
    }

    static void setApplyFrom(Connection c, Dialect dialect, SyncConfig config, String sourceTable, long lsn)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE "
                + dialect.catalogTable(config.catalogSchema(), "table_state")
                + " SET apply_from = ? WHERE sync_name = ? AND source_table = ?")) {
            ps.setLong(1, lsn);
            ps.setString(2, config.slot());
            ps.setString(3, sourceTable);
            ps.executeUpdate();
        }
    }
}
