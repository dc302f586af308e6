package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.TableGlob;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the tables a sync copies: the ordinary and partitioned tables of the source that match an include pattern
 * and no exclude pattern. A partition is never picked on its own: its rows are synced through its root, which is
 * what the publication publishes ({@code publish_via_partition_root}).
 */
final class TableSelector {
    private static final Logger log = LoggerFactory.getLogger(TableSelector.class);

    private static final String TABLES = "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence = 'p'"
            + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
            + " ORDER BY n.nspname, c.relname";

    /** Unlogged tables, which write no WAL, so logical decoding never sees their changes (docs, CREATE TABLE). */
    private static final String UNLOGGED = "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence = 'u'"
            + " ORDER BY n.nspname, c.relname";

    private static final String OIDS = "SELECT oid FROM pg_catalog.pg_class WHERE relkind IN ('r', 'p')";

    private TableSelector() {}

    /** The OIDs of every ordinary and partitioned table the source holds now, in any schema. */
    static Set<Integer> oids(Connection source) throws SQLException {
        Set<Integer> oids = new HashSet<>();
        try (Statement st = source.createStatement();
                ResultSet rs = st.executeQuery(OIDS)) {
            while (rs.next()) {
                oids.add((int) rs.getLong(1)); // as a Relation carries it: the unsigned OID in a signed int
            }
        }
        return oids;
    }

    static List<TableName> select(Connection source, List<String> include, List<String> exclude, String catalogSchema)
            throws SQLException {
        Predicate<TableName> matches = matcher(include, exclude, catalogSchema);
        List<TableName> picked = all(source).stream().filter(matches).toList();
        List<TableName> unlogged = unlogged(source).stream().filter(matches).toList();
        if (picked.isEmpty()) {
            throw PgFerryException.fatal(
                    "no table of the source matches " + String.join(",", include)
                            + (exclude.isEmpty() ? "" : " and not " + String.join(",", exclude))
                            + (unlogged.isEmpty()
                                    ? ""
                                    : " but unlogged "
                                            + String.join(
                                                    ", ",
                                                    unlogged.stream()
                                                            .map(TableName::toString)
                                                            .toList())
                                            + ", which cannot be streamed"),
                    unlogged.isEmpty()
                            ? "check the table patterns: schema.table, * and ? as wildcards, case as stored (quote"
                                    + " mixed case)"
                            : "make it logged (ALTER TABLE ... SET LOGGED), or check the table patterns");
        }
        for (TableName t : unlogged) {
            log.warn(
                    "table {} matches the sync's patterns but is UNLOGGED: its changes are not written to the WAL, so"
                            + " logical decoding cannot stream them, and the sync leaves it out (ALTER TABLE {} SET"
                            + " LOGGED to sync it)",
                    t,
                    t.quoted());
        }
        return picked;
    }

    /** Every table a sync could pick: the source's ordinary and partitioned tables but partitions, in name order. */
    static List<TableName> all(Connection source) throws SQLException {
        return names(source, TABLES);
    }

    private static List<TableName> unlogged(Connection source) throws SQLException {
        return names(source, UNLOGGED);
    }

    private static List<TableName> names(Connection source, String query) throws SQLException {
        List<TableName> names = new ArrayList<>();
        try (Statement st = source.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                names.add(new TableName(rs.getString(1), rs.getString(2)));
            }
        }
        return names;
    }

    /** The patterns of {@code include} that match none of {@code tables}. */
    static List<String> unmatched(List<String> include, List<TableName> tables) {
        return include.stream()
                .filter(p -> {
                    TableGlob g = TableGlob.parse(p);
                    return tables.stream().noneMatch(g::matches);
                })
                .toList();
    }

    /** Whether a table's name matches an include pattern and no exclude pattern, outside pgferry's own schemas. */
    static Predicate<TableName> matcher(List<String> include, List<String> exclude, String catalogSchema) {
        List<TableGlob> in = include.stream().map(TableGlob::parse).toList();
        List<TableGlob> out = exclude.stream().map(TableGlob::parse).toList();
        // pgferry's own records, and the verification objects each side keeps for itself (pgferry guard).
        return t -> !t.schema().equals(catalogSchema)
                && !t.schema().equals("syncguard")
                && in.stream().anyMatch(g -> g.matches(t))
                && out.stream().noneMatch(g -> g.matches(t));
    }
}
