package io.pgferry.postgres.admin;

import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.catalog.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Publications pgferry creates, and whether one may go with the slot it was made for. A publication pgferry creates
 * carries a comment naming that slot (PostgreSQL docs, COMMENT); one without it is the user's and is never dropped.
 */
public final class Publications {
    private static final String MARKER = "created by pgferry for slot ";

    private Publications() {}

    /** Marks {@code publication}, just created by the current role (its owner), as made for {@code slot}. */
    public static void markCreated(Connection c, String publication, String slot) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("COMMENT ON PUBLICATION " + Identifiers.quote(publication) + " IS '"
                    + (MARKER + slot).replace("'", "''") + "'");
        }
    }

    /** Whether pgferry created {@code publication} for {@code slot} ({@link #markCreated}). */
    public static boolean createdFor(Connection c, String publication, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.obj_description(p.oid, 'pg_publication') = ?"
                + " FROM pg_catalog.pg_publication p WHERE p.pubname = ?")) {
            ps.setString(1, MARKER + slot);
            ps.setString(2, publication);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * The publication pgferry created for {@code slot} ({@link #markCreated}), the one named as the slot first when
     * there are several; empty when there is none.
     */
    public static Optional<String> madeFor(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT p.pubname FROM pg_catalog.pg_publication p"
                + " WHERE pg_catalog.obj_description(p.oid, 'pg_publication') = ?"
                + " ORDER BY p.pubname = ? DESC, p.pubname LIMIT 1")) {
            ps.setString(1, MARKER + slot);
            ps.setString(2, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * Adds {@code tables} to {@code publication} (those it publishes already are left out): changes committed from
     * then on are published, earlier ones are not (PostgreSQL docs, ALTER PUBLICATION).
     */
    public static void addTables(Connection c, String publication, List<TableName> tables) throws SQLException {
        PublicationChecks now = new PublicationChecks(c, publication);
        StringBuilder missing = new StringBuilder();
        for (TableName t : tables) {
            if (!now.publishes(t)) {
                missing.append(missing.length() == 0 ? "" : ", ").append(t.quoted());
            }
        }
        if (missing.length() > 0) {
            try (Statement st = c.createStatement()) {
                st.execute("ALTER PUBLICATION " + Identifiers.quote(publication) + " ADD TABLE " + missing);
            }
        }
    }

    /**
     * Removes from {@code publication} those of {@code tables} it lists by name (others are left alone): changes
     * committed from then on are not published, earlier ones still are, since a change is published as the catalog
     * stood when it was made (PostgreSQL docs, ALTER PUBLICATION). Returns the tables removed.
     */
    public static List<TableName> dropTables(Connection c, String publication, List<TableName> tables)
            throws SQLException {
        List<TableName> listed = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT n.nspname, r.relname FROM pg_catalog.pg_publication_rel pr"
                        + " JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid"
                        + " JOIN pg_catalog.pg_class r ON r.oid = pr.prrelid"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace WHERE p.pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableName t = new TableName(rs.getString(1), rs.getString(2));
                    if (tables.contains(t)) {
                        listed.add(t);
                    }
                }
            }
        }
        if (!listed.isEmpty()) {
            try (Statement st = c.createStatement()) {
                st.execute("ALTER PUBLICATION " + Identifiers.quote(publication) + " DROP TABLE "
                        + String.join(
                                ", ", listed.stream().map(TableName::quoted).toList()));
            }
        }
        return listed;
    }

    /**
     * Drops {@code publication} if pgferry created it for {@code slot} and no other logical slot is left in the
     * database: a consumer of a publication streams it through a slot of that database, so none can be using it.
     * Returns whether it was dropped; a publication of the user's, or one that may serve another slot, stays.
     */
    public static boolean dropIfOnlyFor(Connection c, String publication, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.obj_description(p.oid, 'pg_publication') = ?"
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots s WHERE s.slot_type = 'logical'"
                + " AND s.database = pg_catalog.current_database() AND s.slot_name <> ?)"
                + " FROM pg_catalog.pg_publication p WHERE p.pubname = ?")) {
            ps.setString(1, MARKER + slot);
            ps.setString(2, slot);
            ps.setString(3, publication);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(publication));
        }
        return true;
    }
}
