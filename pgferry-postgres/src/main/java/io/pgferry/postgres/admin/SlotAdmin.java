package io.pgferry.postgres.admin;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Lists and drops replication slots (behind {@code pgferry slots}). See the PostgreSQL docs, "pg_replication_slots"
 * and "Replication Management Functions" (pg_drop_replication_slot).
 *
 * <p>A slot keeps WAL on the source until its consumer confirms it, so a forgotten slot fills the disk: the listing
 * shows how much WAL each one holds back.
 */
public final class SlotAdmin {
    /** pgferry's slot names: lower-case letters, digits and underscores, at most NAMEDATALEN - 1 = 63 bytes. */
    public static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

    /**
     * One row of pg_replication_slots.
     *
     * @param database null for a physical slot
     * @param activePid null unless {@code active}
     * @param confirmedFlushLsn null for a physical slot
     * @param restartLsn null for a slot that never reserved WAL
     * @param retainedWalBytes WAL held back from the server's current position to restart_lsn; null without one
     * @param twoPhase null before PostgreSQL 14
     * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} (past max_slot_wal_keep_size: invalidated
     *     at the next checkpoint unless it catches up) or {@code lost}; null for a slot that never reserved WAL
     * @param safeWalBytes the WAL that may still be written before the slot is past max_slot_wal_keep_size; null when
     *     that is unlimited
     * @param invalidation why the server invalidated the slot, null while it is usable: PostgreSQL 17's
     *     invalidation_reason ({@code wal_removed}, {@code rows_removed}, {@code wal_level_insufficient}, 18's {@code
     *     idle_timeout}); before 17 {@code wal_removed} for a lost slot, and on a 16 standby {@code conflict} for one
     *     whose WAL was removed or that conflicted with recovery
     */
    public record SlotInfo(
            String slotName,
            String plugin,
            String slotType,
            String database,
            boolean active,
            Integer activePid,
            Lsn confirmedFlushLsn,
            Lsn restartLsn,
            Long retainedWalBytes,
            Boolean twoPhase,
            String walStatus,
            Long safeWalBytes,
            String invalidation) {
        public SlotInfo {
            Objects.requireNonNull(slotName, "slotName");
            Objects.requireNonNull(slotType, "slotType");
        }

        /** Whether the server invalidated the slot: it can no longer be streamed from. */
        public boolean invalidated() {
            return invalidation != null;
        }
    }

    private final Connection c;
    private final Dsn dsn;

    /** Works on {@code c}, an ordinary connection opened from {@code dsn} (used for error messages). */
    /**
     * The SQL that drops {@code slot}, for an error's fix: any client can run it, whatever drives the library (the
     * CLI's {@code pgferry slots drop} does the same).
     */
    public static String dropSql(String slot) {
        return "SELECT pg_drop_replication_slot('" + slot.replace("'", "''") + "')";
    }

    public SlotAdmin(Connection c, Dsn dsn) {
        this.c = Objects.requireNonNull(c, "c");
        this.dsn = Objects.requireNonNull(dsn, "dsn");
    }

    /**
     * Checks a slot name before it reaches the server.
     *
     * @throws PgFerryException (fatal) naming the rule
     */
    public static void checkSlotName(String name) {
        if (name == null || !SLOT_NAME.matcher(name).matches()) {
            throw PgFerryException.fatal(
                    "invalid slot name '" + (name == null ? "" : Identifiers.echo(name))
                            + "': use 1 to 63 characters from a-z, 0-9 and _",
                    "choose a name such as pgferry_orders");
        }
    }

    /** The slots of the connected database, by name. */
    public List<SlotInfo> list() {
        return query(" WHERE database = pg_catalog.current_database()", null);
    }

    /** Every slot on the server (all databases and physical slots), by name. */
    public List<SlotInfo> listAll() {
        return query("", null);
    }

    /** Slot {@code name}, of any database or type; empty when there is none. */
    public Optional<SlotInfo> find(String name) {
        Objects.requireNonNull(name, "name");
        return query(" WHERE slot_name = ?", name).stream().findFirst();
    }

    /**
     * Drops slot {@code name}.
     *
     * @throws PgFerryException for a bad name, an unknown slot, or a slot in use (naming the process to stop)
     */
    public void drop(String name) {
        checkSlotName(name);
        SlotInfo slot = find(name)
                .orElseThrow(() -> PgFerryException.fatal(
                        "replication slot " + name + " does not exist",
                        "SELECT slot_name FROM pg_replication_slots lists the slots; this connection is to database "
                                + Identifiers.display(dsn.dbname())));
        if (slot.active() && slot.activePid() != null) {
            throw inUse(name, slot.activePid());
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_drop_replication_slot(?)")) {
            ps.setString(1, name);
            ps.execute();
        } catch (SQLException e) {
            if ("55006".equals(e.getSQLState())) {
                // Became active between the check and the drop.
                throw PgFerryException.fatal(
                        "replication slot " + name + " is in use",
                        "stop the consumer using it, or end its session with pg_terminate_backend(active_pid) from"
                                + " pg_replication_slots");
            }
            throw Connections.classify(e, dsn);
        }
    }

    private static PgFerryException inUse(String name, int pid) {
        return PgFerryException.fatal(
                "replication slot " + name + " is in use by process " + pid,
                "stop the consumer using it, or end that session: SELECT pg_terminate_backend(" + pid + ")");
    }

    /** The one query behind every read: pg_replication_slots with {@code where}, bound to {@code param} if given. */
    private List<SlotInfo> query(String where, String param) {
        try {
            int major = c.getMetaData().getDatabaseMajorVersion();
            String sql = "SELECT slot_name, plugin, slot_type, database, active, active_pid,"
                    + " confirmed_flush_lsn::text, restart_lsn::text,"
                    + " pg_catalog.pg_wal_lsn_diff(CASE WHEN pg_catalog.pg_is_in_recovery()"
                    + " THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_lsn() END,"
                    + " restart_lsn)::bigint, "
                    + (major >= 14 ? "two_phase" : "NULL::boolean")
                    + ", wal_status, safe_wal_size, "
                    + invalidation(major)
                    + " FROM pg_catalog.pg_replication_slots"
                    + where
                    + " ORDER BY slot_name";
            List<SlotInfo> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (param != null) {
                    ps.setString(1, param);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new SlotInfo(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getBoolean(5),
                                nullableInt(rs, 6),
                                lsn(rs.getString(7)),
                                lsn(rs.getString(8)),
                                nullableLong(rs, 9),
                                nullableBoolean(rs, 10),
                                rs.getString(11),
                                nullableLong(rs, 12),
                                rs.getString(13)));
                    }
                }
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw Connections.classify(e, dsn);
        }
    }

    /**
     * Why a slot was invalidated, as pg_replication_slots tells it in major version {@code major} (PostgreSQL docs,
     * "pg_replication_slots"): invalidation_reason from 17; before, a {@code lost} wal_status means the WAL it needed
     * was removed, the one cause a primary has. 16's {@code conflicting} column is meant to mark a conflict with
     * recovery, but 16.15 sets it for a slot whose WAL was removed too: on a 16 standby it says one of the two.
     */
    private static String invalidation(int major) {
        if (major >= 17) {
            return "invalidation_reason";
        }
        return "CASE"
                + (major == 16 ? " WHEN conflicting AND pg_catalog.pg_is_in_recovery() THEN 'conflict'" : "")
                + " WHEN wal_status = 'lost' THEN 'wal_removed' END";
    }

    private static Lsn lsn(String text) {
        return text == null ? null : Lsn.parse(text);
    }

    private static Integer nullableInt(ResultSet rs, int column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Boolean nullableBoolean(ResultSet rs, int column) throws SQLException {
        boolean v = rs.getBoolean(column);
        return rs.wasNull() ? null : v;
    }
}
