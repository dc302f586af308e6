package io.pgferry.engine;

import io.pgferry.core.PgFerryException;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.engine.schema.TargetSchema;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses, before anything is created, a table whose rows the sync's roles see only in part through row-level security
 * (PostgreSQL docs, "Row Security Policies"). At the source a copy would hold only the rows the policies show the
 * role, while logical decoding streams every change of every row: the target would miss rows and receive changes to
 * them. At the target an UPDATE or DELETE would leave alone, without an error, the rows the policies hide.
 *
 * <p>pgferry's sessions also run with {@code row_security = off} ({@code Connections.open}, and the PostgreSQL sink's
 * own set-up for connections a library caller opens), so that a policy that starts to apply after this check makes
 * their statements fail rather than skip rows (docs, "row_security").
 */
final class RowSecurity {
    /**
     * The tables of each named table and its partition tree under row-level security ({@code pg_partition_tree} lists
     * nothing for a table that is neither partitioned nor a partition).
     */
    private static final String ACTIVE = "SELECT n.nspname, c.relname FROM pg_catalog.unnest(?::text[]) AS q(name)"
            + " CROSS JOIN LATERAL (SELECT q.name::pg_catalog.regclass AS relid UNION"
            + " SELECT relid FROM pg_catalog.pg_partition_tree(q.name::pg_catalog.regclass)) AS p"
            + " JOIN pg_catalog.pg_class c ON c.oid = p.relid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE pg_catalog.row_security_active(p.relid) ORDER BY 1, 2";

    private RowSecurity() {}

    /**
     * Refuses a table this run copies from the source ({@code tables} on a first start, those of {@code adding} on a
     * resumed one, none without a copy) that row-level security filters for the source's role.
     */
    static void refuseAtSource(
            Connection source, SyncConfig config, List<SourceTable> tables, boolean resume, List<TableName> adding)
            throws SQLException {
        if (config.copyMode() == CopyMode.NONE) {
            return;
        }
        List<String> copied = tables.stream()
                .map(SourceTable::name)
                .filter(n -> !resume || adding.contains(n))
                .map(TableName::quoted)
                .toList();
        refuseAny(
                source,
                "source",
                copied,
                "the copy would hold only the rows its policies show the role, while every change to the others would"
                        + " still be streamed",
                "or leave the table out");
    }

    /** Refuses an existing target table that row-level security filters for the target's role. */
    static void refuseAtTarget(Connection target, TargetSchema.Plan plan) throws SQLException {
        List<String> existing = new ArrayList<>();
        for (var e : plan.targets().entrySet()) {
            if (plan.toCreate().stream().noneMatch(t -> t.name().equals(e.getKey()))) {
                TargetTable tt = e.getValue();
                existing.add(Identifiers.quote(tt.schema()) + "." + Identifiers.quote(tt.table()));
            }
        }
        refuseAny(
                target,
                "target",
                existing,
                "updates and deletes would leave alone the rows its policies hide",
                "or ALTER TABLE ... DISABLE ROW LEVEL SECURITY");
    }

    private static void refuseAny(Connection c, String side, List<String> quotedNames, String harm, String otherFix)
            throws SQLException {
        List<String> filtered = active(c, quotedNames);
        if (!filtered.isEmpty()) {
            String role = role(c);
            throw PgFerryException.fatal(
                    "row-level security applies to " + side + " table " + describe(filtered) + " for role "
                            + Identifiers.display(role) + ": " + harm,
                    "use the table's owner, a superuser or a role with BYPASSRLS (ALTER ROLE " + Identifiers.quote(role)
                            + " BYPASSRLS), " + otherFix);
        }
    }

    private static List<String> active(Connection c, List<String> quotedNames) throws SQLException {
        List<String> found = new ArrayList<>();
        if (quotedNames.isEmpty()) {
            return found;
        }
        try (PreparedStatement ps = c.prepareStatement(ACTIVE)) {
            Array names = c.createArrayOf("text", quotedNames.toArray());
            ps.setArray(1, names);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new TableName(rs.getString(1), rs.getString(2)).toString());
                }
            }
        }
        return found;
    }

    private static String describe(List<String> tables) {
        return tables.get(0) + (tables.size() == 1 ? "" : " (and " + (tables.size() - 1) + " more)");
    }

    private static String role(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_user");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
