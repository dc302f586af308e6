package io.pgferry.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-table part of {@link Preflight}: the table exists, is a table, can be read, is in the publication, and
 * has a usable replica identity (PostgreSQL docs, ALTER TABLE ... REPLICA IDENTITY and "Logical Replication",
 * section Publication).
 */
final class TableChecks {
    private static final String SQL = "SELECT c.relkind, c.relreplident,"
            + " EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),"
            + " EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisreplident"
            + " AND i.indisvalid),"
            + " pg_catalog.has_table_privilege(c.oid, 'SELECT'),"
            + " pg_catalog.pg_has_role(c.relowner, 'USAGE')"
            + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ? AND c.relname = ?";

    private final Connection c;
    private final String user;
    private final PublicationChecks publication;

    TableChecks(Connection c, String user, PublicationChecks publication) {
        this.c = c;
        this.user = user;
        this.publication = publication;
    }

    List<Finding> check(TableName t) throws SQLException {
        String subject = "table " + t;
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return List.of(
                            Finding.fail(
                                    subject,
                                    "does not exist",
                                    "check the name: schema.table, with double quotes around mixed case (\"Sales\".\"Orders\")"));
                }
                return check(
                        subject,
                        t,
                        rs.getString(1).charAt(0),
                        rs.getString(2).charAt(0),
                        rs.getBoolean(3),
                        rs.getBoolean(4),
                        rs.getBoolean(5),
                        rs.getBoolean(6));
            }
        }
    }

    private List<Finding> check(
            String subject,
            TableName t,
            char relkind,
            char replident,
            boolean hasPrimaryKey,
            boolean hasIdentityIndex,
            boolean canSelect,
            boolean owns) {
        if (relkind != 'r' && relkind != 'p') {
            return List.of(Finding.fail(subject, "is a " + kind(relkind) + ", not a table", "publish tables only"));
        }
        List<Finding> problems = new ArrayList<>();
        if (!canSelect) {
            problems.add(Finding.fail(
                    subject,
                    "role " + Identifiers.display(user) + " may not SELECT from it",
                    "GRANT SELECT ON " + t.quoted() + " TO " + Identifiers.quote(user)));
        }
        if (publication.exists() && !publication.publishes(t)) {
            problems.add(Finding.fail(
                    subject,
                    "is not in publication " + Identifiers.display(publication.name()),
                    "ALTER PUBLICATION " + Identifiers.quote(publication.name()) + " ADD TABLE " + t.quoted()));
        }
        if (publication.willBeCreated() && !owns) {
            problems.add(Finding.fail(
                    subject,
                    "role " + Identifiers.display(user) + " does not own it, so pgferry cannot add it to a new"
                            + " publication",
                    "as the table owner: CREATE PUBLICATION " + Identifiers.quote(publication.name()) + " FOR TABLE "
                            + t.quoted()));
        }
        String identity = identity(replident, hasPrimaryKey, hasIdentityIndex);
        if (identity == null && publication.needsReplicaIdentity()) {
            String why = replident == 'n'
                    ? "has REPLICA IDENTITY NOTHING"
                    : replident == 'i'
                            ? "has REPLICA IDENTITY USING INDEX but the index is gone or invalid"
                            : "has no primary key and REPLICA IDENTITY DEFAULT";
            problems.add(Finding.fail(
                    subject,
                    why + ": its UPDATEs and DELETEs cannot be replicated (PostgreSQL rejects them once published)",
                    "ALTER TABLE " + t.quoted() + " REPLICA IDENTITY FULL; or add a primary key"));
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        return List.of(Finding.ok(subject, identity == null ? "readable (inserts only)" : "readable, " + identity));
    }

    /** A description of a usable replica identity, or null when UPDATE/DELETE cannot be identified. */
    private static String identity(char replident, boolean hasPrimaryKey, boolean hasIdentityIndex) {
        return switch (replident) {
            case 'd' -> hasPrimaryKey ? "replica identity default (primary key)" : null;
            case 'i' -> hasIdentityIndex ? "replica identity index" : null;
            case 'f' -> "replica identity full (whole old rows)";
            default -> null;
        };
    }

    private static String kind(char relkind) {
        return switch (relkind) {
            case 'v' -> "view";
            case 'm' -> "materialized view";
            case 'f' -> "foreign table";
            case 'S' -> "sequence";
            case 'i', 'I' -> "index";
            case 'c' -> "composite type";
            case 't' -> "TOAST table";
            default -> "relation of kind '" + relkind + "'";
        };
    }
}
