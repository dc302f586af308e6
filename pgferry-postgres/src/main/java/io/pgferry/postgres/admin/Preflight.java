package io.pgferry.postgres.admin;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * The checks behind {@code pgferry check}: can pgferry stream from this source as configured?
 *
 * <p>Everything is read from the catalogs with bind parameters, never by pasting names into SQL; the fixes quote
 * every identifier. What is checked and why is in the PostgreSQL docs, "Logical Replication" (sections Publication,
 * Replication Slot Management, Security, Configuration Settings) and ALTER TABLE ...
 * REPLICA IDENTITY. A failure to connect or to read the catalogs is thrown as a {@link PgFerryException}, not
 * reported as a finding.
 */
public final class Preflight {
    /** Oldest major version pgferry supports (pgoutput protocol version 2). */
    public static final int MIN_VERSION_NUM = 140000;
    /** Newest major version pgferry was tested with. */
    public static final int MAX_TESTED_VERSION_NUM = 189999;

    /** Cloud roles whose membership grants logical replication where the REPLICATION attribute is not settable. */
    private static final List<String> CLOUD_REPLICATION_ROLES =
            List.of("rds_replication", "cloudsqlsuperuser", "azure_pg_admin");

    private final Dsn dsn;
    private final Connection c;
    private final List<Finding> findings = new ArrayList<>();

    private Preflight(Dsn dsn, Connection c) {
        this.dsn = dsn;
        this.c = c;
    }

    /**
     * Runs every check against {@code dsn}.
     *
     * @param publication publication to check, or null
     * @param tables tables to check; when empty, the publication's tables are checked
     * @throws PgFerryException when the source cannot be reached or read
     */
    public static List<Finding> run(Dsn dsn, String publication, List<TableName> tables) {
        try (Connection c = Connections.open(dsn)) {
            Preflight p = new Preflight(dsn, c);
            p.checkAll(publication, List.copyOf(tables));
            return List.copyOf(p.findings);
        } catch (SQLException e) {
            throw Connections.classify(e, dsn);
        }
    }

    /** True when no finding is {@link Finding.Severity#FAIL}. */
    public static boolean isReady(List<Finding> findings) {
        return findings.stream().noneMatch(f -> f.severity() == Finding.Severity.FAIL);
    }

    private void checkAll(String publication, List<TableName> tables) throws SQLException {
        if (!checkVersion()) {
            return;
        }
        checkWalLevel();
        boolean sendersFree = checkSlotsAndSenders();
        if (checkRole() && sendersFree) {
            checkReplicationConnection();
        }
        PublicationChecks pub = new PublicationChecks(c, publication);
        findings.addAll(pub.check(!tables.isEmpty()));
        List<TableName> toCheck = tables.isEmpty() ? pub.publishedTables() : tables;
        if (toCheck.isEmpty() && publication == null) {
            findings.add(Finding.warn(
                    "tables", "no tables to check", "name the publication or the tables to stream, to check them"));
        }
        TableChecks tableChecks = new TableChecks(c, dsn.user(), pub);
        for (TableName t : toCheck) {
            findings.addAll(tableChecks.check(t));
        }
    }

    private boolean checkVersion() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.current_setting('server_version_num')::int,"
                        + " pg_catalog.current_setting('server_version')");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            int num = rs.getInt(1);
            String text = rs.getString(2);
            if (num < MIN_VERSION_NUM) {
                findings.add(Finding.fail(
                        "server version",
                        "PostgreSQL " + text + " is not supported (pgferry needs 14 or later)",
                        "upgrade the source to PostgreSQL 14 or later"));
                return num >= 100000;
            }
            if (num > MAX_TESTED_VERSION_NUM) {
                findings.add(Finding.warn(
                        "server version",
                        "PostgreSQL " + text + " is newer than the versions pgferry was tested with (14 to 18)",
                        "watch the first run closely and report problems"));
            } else {
                findings.add(Finding.ok("server version", "PostgreSQL " + text));
            }
            return true;
        }
    }

    private void checkWalLevel() throws SQLException {
        String level = walLevel(c);
        if (level.equals("logical")) {
            findings.add(Finding.ok("wal_level", "logical"));
        } else {
            findings.add(Finding.fail(
                    "wal_level",
                    "is " + level + "; logical decoding needs wal_level = logical",
                    Connections.walLevelFix()));
        }
    }

    /** Returns whether a WAL sender is free (a replication connection can be tried). */
    private boolean checkSlotsAndSenders() throws SQLException {
        long[] slots = queryLongs("SELECT pg_catalog.current_setting('max_replication_slots')::int,"
                + " (SELECT count(*) FROM pg_catalog.pg_replication_slots)");
        long freeSlots = slots[0] - slots[1];
        if (freeSlots >= 1) {
            findings.add(
                    Finding.ok("replication slots", freeSlots + " of " + slots[0] + " free (max_replication_slots)"));
        } else {
            findings.add(Finding.fail(
                    "replication slots",
                    "none free: " + slots[1] + " in use of max_replication_slots = " + slots[0],
                    Connections.slotsFix()));
        }
        // Counting walsender backends needs no special rights: backend_type is visible for every session.
        long[] senders = queryLongs("SELECT pg_catalog.current_setting('max_wal_senders')::int,"
                + " (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'walsender')");
        long freeSenders = senders[0] - senders[1];
        if (freeSenders >= 1) {
            findings.add(Finding.ok("wal senders", freeSenders + " of " + senders[0] + " free (max_wal_senders)"));
            return true;
        }
        findings.add(Finding.fail(
                "wal senders",
                "none free: " + senders[1] + " active of max_wal_senders = " + senders[0],
                "stop unused replication clients or raise max_wal_senders and restart PostgreSQL"));
        return false;
    }

    /** Returns whether the role may replicate. */
    private boolean checkRole() throws SQLException {
        String subject = "role " + Identifiers.display(dsn.user());
        boolean superuser;
        boolean replication;
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT rolsuper, rolreplication FROM pg_catalog.pg_roles WHERE rolname = current_user");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            superuser = rs.getBoolean(1);
            replication = rs.getBoolean(2);
        }
        if (superuser) {
            findings.add(Finding.ok(subject, "is a superuser (may replicate)"));
            return true;
        }
        if (replication) {
            findings.add(Finding.ok(subject, "has the REPLICATION attribute"));
            return true;
        }
        List<String> memberOf = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT rolname FROM pg_catalog.pg_roles"
                + " WHERE rolname IN (?, ?, ?) AND pg_catalog.pg_has_role(current_user, oid, 'MEMBER')"
                + " ORDER BY rolname")) {
            for (int i = 0; i < CLOUD_REPLICATION_ROLES.size(); i++) {
                ps.setString(i + 1, CLOUD_REPLICATION_ROLES.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    memberOf.add(rs.getString(1));
                }
            }
        }
        if (!memberOf.isEmpty()) {
            findings.add(Finding.ok(subject, "is a member of " + String.join(", ", memberOf) + " (may replicate)"));
            return true;
        }
        findings.add(Finding.fail(
                subject, "has neither the REPLICATION attribute nor superuser", Connections.replicationFix(dsn)));
        return false;
    }

    private void checkReplicationConnection() {
        PGConnection pg = null;
        try {
            pg = Connections.openReplication(dsn);
            findings.add(Finding.ok("replication connection", "accepted"));
        } catch (PgFerryException e) {
            findings.add(Finding.fail("replication connection", e.problem(), e.fix()));
        } finally {
            if (pg instanceof Connection conn) {
                try {
                    conn.close();
                } catch (SQLException ignored) {
                    // The check already succeeded; a failing close changes nothing for the user.
                }
            }
        }
    }

    /**
     * The server's wal_level: minimal, replica or logical. Logical decoding, and so slot creation, needs logical
     * (PostgreSQL docs, "Write Ahead Log" settings, wal_level); changing it needs a restart.
     */
    public static String walLevel(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.current_setting('wal_level')");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private long[] queryLongs(String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            long[] out = new long[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = rs.getLong(i + 1);
            }
            return out;
        }
    }
}
