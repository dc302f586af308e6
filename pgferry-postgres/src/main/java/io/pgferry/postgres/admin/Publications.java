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

    /**
     * At most this many tables go into one statement that publishes them. Each statement locks every table it names
     * until it commits, and the server keeps the locks of all its sessions in one table of about {@code
     * max_locks_per_transaction} times {@code max_connections} entries (PostgreSQL docs, "Lock Management"; 6,400 by
     * default): one {@code CREATE PUBLICATION} of some thousands of tables failed with "out of shared memory".
     */
    private static final int TABLES_PER_STATEMENT = 100;

    private Publications() {}

    /**
     * Creates {@code publication} for {@code tables} (at least one), marked as made for {@code slot} in the same
     * transaction, then adds the tables past the first {@link #TABLES_PER_STATEMENT} in transactions of their own
     * ({@link #publish}). Changes of a partitioned table are published under its own name, not its partitions'
     * (PostgreSQL docs, CREATE PUBLICATION, {@code publish_via_partition_root}). {@code c} autocommits. A failure part
     * way drops the publication again; a crash part way leaves it marked, and {@link #publish} completes it.
     */
    public static void create(Connection c, String publication, String slot, List<TableName> tables)
            throws SQLException {
        List<TableName> first = tables.subList(0, Math.min(tables.size(), TABLES_PER_STATEMENT));
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE PUBLICATION " + Identifiers.quote(publication) + " FOR TABLE " + quotedList(first)
                    + " WITH (publish_via_partition_root = true)");
            markCreated(c, publication, slot);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        try {
            publish(c, publication, tables.subList(first.size(), tables.size()));
        } catch (SQLException | RuntimeException e) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(publication));
            } catch (SQLException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
    }

    /** Marks {@code publication}, just created by the current role (its owner), as made for {@code slot}. */
    private static void markCreated(Connection c, String publication, String slot) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("COMMENT ON PUBLICATION " + Identifiers.quote(publication) + " IS '"
                    + (MARKER + slot).replace("'", "''") + "'");
        }
    }

    /** Whether pgferry created {@code publication} for {@code slot} ({@link #create}). */
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
     * The publication pgferry created for {@code slot} ({@link #create}), the one named as the slot first when
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
        publish(c, publication, tables.stream().filter(t -> !now.publishes(t)).toList());
    }

    /**
     * Adds {@code tables}, none of which {@code publication} publishes yet, {@link #TABLES_PER_STATEMENT} to a
     * statement: each statement is a transaction of its own when {@code c} autocommits.
     */
    public static void publish(Connection c, String publication, List<TableName> tables) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (int i = 0; i < tables.size(); i += TABLES_PER_STATEMENT) {
                st.execute("ALTER PUBLICATION " + Identifiers.quote(publication) + " ADD TABLE "
                        + quotedList(tables.subList(i, Math.min(tables.size(), i + TABLES_PER_STATEMENT))));
            }
        }
    }

    private static String quotedList(List<TableName> tables) {
        return String.join(", ", tables.stream().map(TableName::quoted).toList());
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
                st.execute("ALTER PUBLICATION " + Identifiers.quote(publication) + " DROP TABLE " + quotedList(listed));
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
