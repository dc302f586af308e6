package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.config.TableGlob;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.postgres.admin.PublicationChecks;
import io.pgferry.postgres.admin.Publications;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tables that leave a resumed sync: dropped at the source, or no longer matched by its patterns (narrowed since). Such
 * a table is recorded {@link TableState#REMOVED} at the target: its row stays, since the sync's identity covers it, and
 * a start whose patterns match it again copies it afresh ({@link AddedTables}) instead of streaming into rows that
 * missed what it left out. Before, a narrowed sync stopped at the first change of such a table ("a change arrived for
 * table ..., which this sync does not copy"), and widened again it would have streamed on into stale rows. Issue 5.
 *
 * <p>When pgferry made the sync's publication, the table leaves it too, so the source stops decoding its changes for
 * the sync; the changes published before that point still arrive and are left out by {@link OtherTables}.
 */
final class RemovedTables {
    private static final Logger log = LoggerFactory.getLogger(RemovedTables.class);

    private RemovedTables() {}

    /**
     * Refuses a start whose patterns no longer match tables the sync streams while one of its include patterns
     * matches no table of the source: a mistyped pattern ({@code public.ordrs}) would take them out of the sync, and
     * the start with the right patterns would then copy them afresh (dropping the target tables the sync created).
     * Narrowing on purpose, with patterns that each match a table or with exclude patterns, and tables dropped at the
     * source are not refused.
     * Checked before anything is recorded or taken out of the publication. Issue 5.
     *
     * @param streamed the sync's tables as its destination records them, but those recorded removed
     * @param matched the tables the patterns match now
     */
    static void refuseMistypedNarrowing(
            SyncConfig config, Connection source, Collection<String> streamed, Collection<TableName> matched)
            throws SQLException {
        Set<TableName> kept = new HashSet<>(matched);
        List<TableName> candidates = TableSelector.all(source);
        Set<TableName> present = new HashSet<>(candidates);
        List<TableGlob> include =
                config.include().stream().map(TableGlob::parse).toList();
        // Those no include pattern matches any more; one an exclude pattern leaves out was left out on purpose.
        List<TableName> leaving = streamed.stream()
                .map(TableName::parse)
                .filter(t -> !kept.contains(t) && present.contains(t))
                .filter(t -> include.stream().noneMatch(g -> g.matches(t)))
                .sorted(Comparator.comparing(TableName::toString))
                .toList();
        if (leaving.isEmpty()) {
            return;
        }
        List<String> empty = TableSelector.unmatched(config.include(), candidates);
        if (empty.isEmpty()) {
            return;
        }
        String tables = leaving.size() <= 3
                ? leaving.stream().map(TableName::toString).collect(Collectors.joining(", "))
                : leaving.subList(0, 3).stream().map(TableName::toString).collect(Collectors.joining(", ")) + " and "
                        + (leaving.size() - 3) + " more";
        throw PgFerryException.fatal(
                "table pattern " + String.join(", ", empty) + " of sync " + config.slot() + " matches no table of the"
                        + " source, and the patterns no longer match " + tables + ", which the sync streams: a"
                        + " mistyped pattern would take them out of the sync",
                "correct the table patterns; to narrow the sync on purpose, give patterns that each match a table, or"
                        + " exclude patterns");
    }

    /**
     * Records the tables of {@code states} that are not among {@code names} as removed, and takes them out of the
     * sync's publication when pgferry made it.
     */
    static void record(
            SyncConfig config,
            Connection source,
            Connection target,
            SyncCatalog catalog,
            List<SyncCatalog.TableStatus> states,
            List<TableName> names)
            throws SQLException {
        Set<TableName> kept = new HashSet<>(names);
        for (SyncCatalog.TableStatus s : states) {
            TableName t = TableName.parse(s.sourceTable());
            if (kept.contains(t) || s.state() == TableState.REMOVED) {
                continue;
            }
            catalog.setRemoved(target, s.sourceTable());
            log.warn(
                    "table {} {}, so it is no longer one of the tables of sync {}: its changes are no longer applied"
                            + " and target table {} stays as it is (a start whose patterns match it again copies it"
                            + " afresh)",
                    t,
                    exists(source, t)
                            ? "is no longer matched by the sync's table patterns"
                            : "was dropped or renamed at the source",
                    config.slot(),
                    s.target());
        }
        unpublish(config, source, names);
    }

    /**
     * Takes every table but {@code names} out of the sync's publication when pgferry made it for the sync; a
     * publication of the user's is left as it is.
     *
     * @return the tables taken out
     */
    static List<TableName> unpublish(SyncConfig config, Connection source, List<TableName> names) throws SQLException {
        if (!Publications.createdFor(source, config.publication(), config.slot())) {
            return List.of();
        }
        List<TableName> others = new PublicationChecks(source, config.publication()).publishedBesides(names);
        List<TableName> dropped = Publications.dropTables(source, config.publication(), others);
        if (!dropped.isEmpty()) {
            log.info(
                    "took {} out of publication {}, which pgferry made for sync {}",
                    dropped,
                    config.publication(),
                    config.slot());
        }
        return dropped;
    }

    private static boolean exists(Connection source, TableName t) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement("SELECT pg_catalog.to_regclass(?) IS NOT NULL")) {
            ps.setString(1, t.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
