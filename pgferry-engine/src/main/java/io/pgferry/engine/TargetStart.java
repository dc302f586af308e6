package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.DdlMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.copy.ChunkPlan;
import io.pgferry.engine.schema.PgSql;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.engine.schema.TableCreation;
import io.pgferry.engine.schema.TargetSchema;
import io.pgferry.jdbc.CopyChunks;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.OneTransaction;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a PostgreSQL-to-PostgreSQL sync begins on its target, decided from what the target records: resume streaming
 * where the target's position is; resume an unfinished chunked copy whose slot still exists; or start the copy, over
 * if an earlier one did not finish (its tables emptied or dropped, its slot dropped). Every check of that decision is
 * made before anything is changed, and a fresh start creates the target tables and registers them {@code init}. A
 * restart adds the columns the source gained while the sync was stopped when DDL is applied.
 */
final class TargetStart {
    private static final Logger log = LoggerFactory.getLogger(TargetStart.class);

    /**
     * The decision.
     *
     * @param resume the target records a stream position: no copy, stream from there
     * @param plan the target tables, planned again if an unfinished copy was undone
     * @param created the source tables (qualified names) whose target tables this sync created
     */
    record Decision(boolean resume, TargetSchema.Plan plan, Set<String> created) {}

    private TargetStart() {}

    static Decision decide(
            SyncConfig config,
            Dialect dialect,
            Connection target,
            List<SourceTable> tables,
            TargetSchema schema,
            TargetSchema.Plan plan,
            SyncCatalog catalog,
            Optional<SyncCatalog.Position> position,
            CopyChunks chunkStore,
            SlotAdmin slots,
            Set<TableName> adding)
            throws SQLException {
        boolean resume = position.isPresent() && position.get().lsn().isPresent();
        boolean resumeChunks = false;
        Set<String> created = new HashSet<>();
        if (resume) {
            Optional<SourceTable> gone = plan.toCreate().stream()
                    .filter(t -> !adding.contains(t.name()))
                    .findFirst();
            if (gone.isPresent()) {
                throw PgFerryException.fatal(
                        "target table "
                                + plan.targets().get(gone.get().name()) + " is gone, but sync "
                                + config.slot() + " was streaming into it",
                        "restore it, or start the sync over: drop slot " + config.slot()
                                + " and delete the sync's rows from " + config.catalogSchema() + ".sync_progress");
            }
            if (config.ddl() == DdlMode.APPLY) {
                schema.addMissingColumns(plan);
            } else {
                TargetSchema.requireColumns(plan, ", or let the sync add it (DDL mode apply)");
            }
            log.info(
                    "resuming sync {} from {} (recorded at the target)",
                    config.slot(),
                    position.get().lsn().get());
            SyncChecks.upgradeCatalog(target, dialect, config);
            for (SyncCatalog.TableStatus st : catalog.states(target)) {
                if (st.createdBySync()) {
                    created.add(st.sourceTable());
                }
            }
        } else {
            TargetSchema.requireColumns(plan, "");
            boolean unfinished = position.isPresent();
            boolean copies = config.copyMode() != CopyMode.NONE;
            if (config.copyMode() == CopyMode.CHUNKED) {
                // An unfinished copy was checked when it began; the tables it created get their keys later.
                SyncChecks.checkChunkable(target, tables, plan, !unfinished, dialect);
            }
            Optional<SlotAdmin.SlotInfo> slot = slots.find(config.slot());
            boolean slotExists = slot.isPresent();
            if (copies && !unfinished) {
                if (slotExists) {
                    throw SyncChecks.slotTaken(slot.get(), config, "the target");
                }
                SyncChecks.requireEmpty(target, plan, tables);
            }
            SyncCatalog.create(target, dialect, config.catalogSchema());
            // A chunked copy resumes on its slot, which still holds every change since the copy began; one
            // without a stored plan has copied nothing yet and simply starts over.
            List<CopyChunks.Chunk> planned = unfinished ? chunkStore.load(target) : List.of();
            resumeChunks = config.copyMode() == CopyMode.CHUNKED && slotExists && !planned.isEmpty();
            if (resumeChunks) {
                ChunkPlan.checkPlanCovers(config, tables, planned);
            }
            if (unfinished && !resumeChunks) {
                if (copies) {
                    log.warn(
                            "a previous initial copy of sync {} did not finish: emptying its tables and starting it"
                                    + " again",
                            config.slot());
                }
                restart(config, target, catalog, chunkStore, slots, copies);
                plan = schema.plan(tables);
            }
            if (resumeChunks) {
                log.info("resuming the unfinished chunked copy of sync {}", config.slot());
                for (SyncCatalog.TableStatus st : catalog.states(target)) {
                    if (st.createdBySync()) {
                        created.add(st.sourceTable());
                    }
                }
            } else {
                register(target, catalog, tables, plan);
                try {
                    // Rehearses the builds that follow the copy as it creates the tables: a definition the target
                    // cannot take fails here, before any slot or copy, and the creation drops what it made. A copy
                    // has its small tables' builds made for good there instead (a chunked one only those that hold
                    // row by row; one resumed after a crash runs them again, skipping what is built).
                    if (copies) {
                        plan = plan.buildingAtCreation(config.copyMode() == CopyMode.CHUNKED);
                    }
                    schema.createRehearsing(tables, plan);
                } catch (SQLException | RuntimeException e) {
                    try {
                        catalog.remove(target);
                        SyncCatalog.dropIfEmpty(target, dialect, config.catalogSchema());
                    } catch (SQLException r) {
                        e.addSuppressed(r);
                    }
                    throw e;
                }
                for (SourceTable t : tables) {
                    if (plan.created(t.name())) {
                        created.add(t.name().toString());
                    }
                }
            }
        }
        return new Decision(resume, plan, created);
    }

    /**
     * Records the sync, with no position yet, and its tables {@code init}, saying which of them it creates, in one
     * transaction and before any is created: a start after a crash part way through the creation finds them so, and
     * {@link #restart} drops the ones that were made.
     */
    private static void register(
            Connection target, SyncCatalog catalog, List<SourceTable> tables, TargetSchema.Plan plan)
            throws SQLException {
        OneTransaction.run(target, c -> {
            catalog.register(c, null);
            for (SourceTable t : tables) {
                catalog.setState(
                        c,
                        t.name().toString(),
                        plan.targets().get(t.name()),
                        TableState.INIT,
                        0,
                        0,
                        plan.created(t.name()),
                        null);
            }
        });
    }

    /**
     * Undoes a start that did not finish: drops the tables it created (they are created again, their keys and indexes
     * built after the data). When it {@code copied}, also empties the tables it was filling and drops the slot whose
     * snapshot it used; without a copy the slot holds what the sync has to stream, and the tables it created hold
     * nothing yet (the sync records no position, so it applied no transaction).
     */
    private static void restart(
            SyncConfig config,
            Connection target,
            SyncCatalog catalog,
            CopyChunks chunks,
            SlotAdmin slots,
            boolean copied)
            throws SQLException {
        chunks.clear(target);
        List<String> drop = new ArrayList<>();
        List<String> truncate = new ArrayList<>();
        for (SyncCatalog.TableStatus s : catalog.states(target)) {
            String q = PgSql.qualified(s.target().schema(), s.target().table());
            (s.createdBySync() ? drop : truncate).add(q);
        }
        TableCreation.dropTables(target, drop);
        if (!copied) {
            return;
        }
        TableCreation.emptyTables(target, truncate);
        if (slots.find(config.slot()).isPresent()) {
            slots.drop(config.slot());
            log.info("dropped slot {} of the unfinished copy", config.slot());
        }
    }
}
