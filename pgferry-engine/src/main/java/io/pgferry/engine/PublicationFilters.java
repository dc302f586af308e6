package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Refuses a publication that publishes one of the sync's tables with a row filter or a column list (PostgreSQL 15 and
 * later; docs, "Logical Replication", Row Filters and Column Lists). pgferry copies whole tables and applies what the
 * slot decodes: under a row filter the target would keep every row the filter leaves out, never updated or deleted
 * again, and under a column list the stream would carry fewer columns than the copy. A publication pgferry makes has
 * neither; this refuses one of the user's that has them, before anything is created.
 */
final class PublicationFilters {
    /** The published tables of a publication with a row filter, a column list, or both (pg_publication_rel). */
    private static final String FILTERED = "SELECT n.nspname, c.relname, pr.prqual IS NOT NULL, pr.prattrs IS NOT NULL"
            + " FROM pg_catalog.pg_publication_rel pr JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid"
            + " JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE p.pubname = ? AND (pr.prqual IS NOT NULL OR pr.prattrs IS NOT NULL) ORDER BY 1, 2";

    private PublicationFilters() {}

    static void refuse(Connection source, SyncConfig config, List<SourceTable> tables) throws SQLException {
        if (version(source) < 150000) {
            return; // neither exists before PostgreSQL 15
        }
        Set<TableName> synced = tables.stream().map(SourceTable::name).collect(Collectors.toSet());
        try (PreparedStatement ps = source.prepareStatement(FILTERED)) {
            ps.setString(1, config.publication());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableName t = new TableName(rs.getString(1), rs.getString(2));
                    if (synced.contains(t)) {
                        // The filter's text is left out: its literals may be values of the table's rows.
                        String what = rs.getBoolean(3)
                                ? rs.getBoolean(4) ? "a row filter and a column list" : "a row filter"
                                : "a column list";
                        throw PgFerryException.fatal(
                                "publication " + Identifiers.display(config.publication()) + " publishes table " + t
                                        + " with " + what + ", while pgferry copies and applies whole tables",
                                "publish the table without them (ALTER PUBLICATION "
                                        + Identifiers.quote(config.publication()) + " SET TABLE ...), give the sync"
                                        + " another publication, or leave the table out");
                    }
                }
            }
        }
    }

    private static int version(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.current_setting('server_version_num')::int");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
