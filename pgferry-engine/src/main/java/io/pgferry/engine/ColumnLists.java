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
 * Refuses a publication that publishes one of the sync's tables with a column list (PostgreSQL 15 and later; docs,
 * "Logical Replication", Column Lists): the stream would carry fewer columns than the table pgferry copies and creates,
 * and the columns left out would keep their copied values at the target whatever the source did to them. A row filter
 * is honoured instead: the copy reads only the rows it keeps ({@code SourceTable#rowFilter}). A publication pgferry
 * makes has neither; this refuses one of the user's with a column list, before anything is created.
 */
final class ColumnLists {
    /** The tables a publication publishes with a column list (pg_publication_rel). */
    private static final String LISTED = "SELECT n.nspname, c.relname"
            + " FROM pg_catalog.pg_publication_rel pr JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid"
            + " JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE p.pubname = ? AND pr.prattrs IS NOT NULL ORDER BY 1, 2";

    private ColumnLists() {}

    static void refuse(Connection source, SyncConfig config, List<SourceTable> tables) throws SQLException {
        if (version(source) < 150000) {
            return; // none before PostgreSQL 15
        }
        Set<TableName> synced = tables.stream().map(SourceTable::name).collect(Collectors.toSet());
        try (PreparedStatement ps = source.prepareStatement(LISTED)) {
            ps.setString(1, config.publication());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableName t = new TableName(rs.getString(1), rs.getString(2));
                    if (synced.contains(t)) {
                        throw PgFerryException.fatal(
                                "publication " + Identifiers.display(config.publication()) + " publishes table " + t
                                        + " with a column list, while pgferry copies and applies every column",
                                "publish the table without one (ALTER PUBLICATION "
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
