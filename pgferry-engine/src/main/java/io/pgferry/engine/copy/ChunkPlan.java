package io.pgferry.engine.copy;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.CopyChunks;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plan of a chunked copy: the chunks stored at the destination ({@link CopyChunks}), or a new plan ({@link
 * ChunkPlanner}) stored in one transaction before anything is copied, so that a copy resumed after a crash goes on
 * with the same chunks.
 */
public final class ChunkPlan {
    private static final Logger log = LoggerFactory.getLogger(ChunkPlan.class);

    private ChunkPlan() {}

    /**
     * A plan as a run of the copy finds it.
     *
     * @param all every chunk, largest tables first
     * @param left the chunks not done yet, in the same order
     * @param progress the copy's progress, counting the chunks done before
     */
    record Resumed(List<KeyRange> all, List<KeyRange> left, CopyProgress progress) {}

    /** The plan ({@link #ranges}), with the chunks a run before this one finished counted as done. */
    static Resumed resume(
            SyncConfig config, List<SourceTable> tables, CopyChunks chunks, Connection states, Connection planning)
            throws SQLException {
        List<KeyRange> ranges = ranges(config, tables, chunks, states, planning);
        Map<TableName, Integer> parts = new HashMap<>();
        ranges.forEach(r -> parts.merge(r.table().name(), 1, Integer::sum));
        CopyProgress progress = new CopyProgress(tables, t -> parts.getOrDefault(t.name(), 0));
        List<KeyRange> left = new ArrayList<>();
        for (KeyRange r : ranges) {
            if (r.chunk().done()) {
                progress.table(r.table().name()).finishRange(r.chunk().rows());
            } else {
                left.add(r);
            }
        }
        if (left.size() < ranges.size()) {
            log.info(
                    "resuming the chunked copy: {} of {} chunks were copied before",
                    ranges.size() - left.size(),
                    ranges.size());
        }
        return new Resumed(ranges, left, progress);
    }

    /** The stored plan, or a new one stored in one transaction; largest tables first. */
    static List<KeyRange> ranges(
            SyncConfig config, List<SourceTable> tables, CopyChunks chunks, Connection states, Connection planning)
            throws SQLException {
        ChunkPlanner planner = new ChunkPlanner(planning, config.chunkRows());
        Map<String, SourceTable> tableOf = new HashMap<>();
        Map<String, SourceTable.Leaf> leafOf = new HashMap<>();
        Map<TableName, List<String>> keyTypes = new HashMap<>();
        for (SourceTable t : tables) {
            keyTypes.put(t.name(), planner.keyTypes(t));
            for (SourceTable.Leaf l : t.leaves()) {
                tableOf.put(l.qualified(), t);
                leafOf.put(l.qualified(), l);
            }
        }
        List<CopyChunks.Chunk> stored = chunks.load(states);
        if (stored.isEmpty()) {
            List<SourceTable> bySize = new ArrayList<>(tables);
            bySize.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
            for (SourceTable t : bySize) {
                for (SourceTable.Leaf l : t.leaves()) {
                    stored.addAll(planner.plan(t, l));
                }
            }
            states.setAutoCommit(false);
            chunks.save(states, stored);
            states.commit();
            states.setAutoCommit(true);
        } else {
            stored.sort((a, b) -> Long.compare(
                    tableOf.containsKey(b.relation())
                            ? tableOf.get(b.relation()).bytes()
                            : 0,
                    tableOf.containsKey(a.relation())
                            ? tableOf.get(a.relation()).bytes()
                            : 0));
        }
        checkPlanCovers(config, tables, stored);
        List<KeyRange> out = new ArrayList<>();
        for (CopyChunks.Chunk c : stored) {
            SourceTable t = tableOf.get(c.relation());
            if (t == null) {
                throw PgFerryException.fatal(
                        "the chunked copy of sync " + config.slot() + " was planned for relation " + c.relation()
                                + ", which is no longer among the source tables",
                        "start the sync over: drop slot " + config.slot() + " and delete its rows from "
                                + config.catalogSchema() + ".sync_progress and " + config.catalogSchema()
                                + ".copy_chunk");
            }
            out.add(new KeyRange(t, leafOf.get(c.relation()), c, keyTypes.get(t.name())));
        }
        return out;
    }

    /**
     * Refuses to resume a plan that lacks a relation the sync now selects: that relation would never be copied.
     */
    public static void checkPlanCovers(SyncConfig config, List<SourceTable> tables, List<CopyChunks.Chunk> stored) {
        Set<String> planned = new HashSet<>();
        stored.forEach(c -> planned.add(c.relation()));
        for (SourceTable t : tables) {
            for (SourceTable.Leaf l : t.leaves()) {
                if (!planned.contains(l.qualified())) {
                    throw PgFerryException.fatal(
                            "the unfinished chunked copy of sync " + config.slot() + " was planned without relation "
                                    + l.qualified() + ", which the sync now selects",
                            "run it with the tables it began with, or start the sync over: drop slot "
                                    + config.slot() + " and delete its rows from " + config.catalogSchema()
                                    + ".sync_progress and " + config.catalogSchema() + ".copy_chunk");
                }
            }
        }
    }
}
