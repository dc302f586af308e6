package io.pgferry.postgres.admin;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The publication part of {@link Preflight}, also read by the stream's set-up: does it exist, what does it
 * publish. Read once at construction. See
 * the PostgreSQL docs, "pg_publication" and "pg_publication_tables".
 */
public final class PublicationChecks {
    private final String name;
    private final boolean exists;
    private final boolean allTables;
    private final List<String> operations = new ArrayList<>();
    private final Set<TableName> published = new LinkedHashSet<>();

    public PublicationChecks(Connection c, String name) throws SQLException {
        this.name = name;
        if (name == null) {
            exists = false;
            allTables = false;
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT puballtables, pubinsert, pubupdate, pubdelete,"
                + " pubtruncate FROM pg_catalog.pg_publication WHERE pubname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
                allTables = exists && rs.getBoolean(1);
                String[] ops = {"insert", "update", "delete", "truncate"};
                for (int i = 0; exists && i < ops.length; i++) {
                    if (rs.getBoolean(i + 2)) {
                        operations.add(ops[i]);
                    }
                }
            }
        }
        if (exists) {
            try (PreparedStatement ps = c.prepareStatement("SELECT schemaname, tablename"
                    + " FROM pg_catalog.pg_publication_tables WHERE pubname = ? ORDER BY schemaname, tablename")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        published.add(new TableName(rs.getString(1), rs.getString(2)));
                    }
                }
            }
        }
    }

    List<Finding> check(boolean tablesGiven) {
        if (name == null) {
            return List.of();
        }
        String subject = "publication " + Identifiers.display(name);
        if (!exists) {
            if (tablesGiven) {
                return List.of(Finding.warn(
                        subject,
                        "does not exist; pgferry creates it for the given tables",
                        "nothing to do, or create it yourself: CREATE PUBLICATION " + Identifiers.quote(name)
                                + " FOR TABLE ..."));
            }
            return List.of(Finding.fail(
                    subject,
                    "does not exist",
                    "CREATE PUBLICATION " + Identifiers.quote(name) + " FOR TABLE ...; or give the tables to publish"
                            + " so that pgferry creates it"));
        }
        String what = allTables ? "FOR ALL TABLES" : published.size() + (published.size() == 1 ? " table" : " tables");
        String ops = "publishes " + String.join(", ", operations);
        if (!allTables && published.isEmpty()) {
            return List.of(Finding.warn(
                    subject,
                    "exists but holds no tables",
                    "ALTER PUBLICATION " + Identifiers.quote(name) + " ADD TABLE ..."));
        }
        return List.of(Finding.ok(subject, what + ", " + ops));
    }

    String name() {
        return name;
    }

    public boolean exists() {
        return exists;
    }

    /** The publication will be created by pgferry stream (given, but not there yet). */
    boolean willBeCreated() {
        return name != null && !exists;
    }

    public boolean publishes(TableName table) {
        return allTables || published.contains(table);
    }

    /**
     * Refuses a stream or a sync about to start from this publication, existing, that leaves out one of {@code
     * tables}: the destination would get part of them. A sync asks before it creates anything at its destination.
     */
    public void requirePublished(List<TableName> tables) {
        if (!exists) {
            return;
        }
        for (TableName t : tables) {
            if (!publishes(t)) {
                throw PgFerryException.fatal(
                        "publication " + name + " exists but does not publish " + t,
                        "run ALTER PUBLICATION " + Identifiers.quote(name) + " ADD TABLE " + t.quoted()
                                + ", or choose another publication (a stream that resumes misses the table's changes"
                                + " made while the publication did not publish it: copy the table again)");
            }
        }
    }

    /**
     * A replica identity is needed unless the publication exists and publishes neither UPDATE nor DELETE: with one
     * of those published, PostgreSQL rejects UPDATE/DELETE on a table without a usable identity.
     */
    public boolean needsReplicaIdentity() {
        return !exists || operations.contains("update") || operations.contains("delete");
    }

    public List<TableName> publishedTables() {
        return List.copyOf(published);
    }

    /** The tables it publishes besides {@code tables}, in name order. */
    public List<TableName> publishedBesides(Collection<TableName> tables) {
        Set<TableName> given = new HashSet<>(tables);
        return published.stream().filter(t -> !given.contains(t)).toList();
    }
}
