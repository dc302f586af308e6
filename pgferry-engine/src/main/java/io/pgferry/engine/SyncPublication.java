package io.pgferry.engine;

import io.pgferry.engine.config.SyncConfig;
import io.pgferry.postgres.admin.Publications;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The publication a sync streams through when its configuration names none. Each sync gets its own, so that two syncs
 * of one source database, under two slots, neither share a publication nor decode each other's tables:
 *
 * <ol>
 *   <li>the publication pgferry created for the sync's slot, whatever its name (its comment says so: {@link
 *       Publications#create});
 *   <li>else, for a slot that exists already, {@value #EARLIER_DEFAULT} when the source has it: a sync begun while
 *       that was every sync's default streams through it, and must go on doing so, since its slot decodes the WAL
 *       it has not confirmed under the publications as they stood when that WAL was written (PostgreSQL docs,
 *       "Logical Replication", Publication): one created now would not publish it;
 *   <li>else a publication named as the slot, which the start creates.
 * </ol>
 */
final class SyncPublication {
    /** The default publication of every sync, whatever its slot, before the default followed the slot. */
    static final String EARLIER_DEFAULT = "pgferry_sync";

    private SyncPublication() {}

    /** {@code config} with its publication named: as configured, else as {@link SyncPublication} says. */
    static SyncConfig resolve(SyncConfig config) {
        if (config.publication() != null) {
            return config;
        }
        try (Connection c = Connections.open(config.source())) {
            return config.withPublication(of(c, config.source(), config.slot()));
        } catch (SQLException e) {
            throw Connections.classify(e, config.source());
        }
    }

    /** The publication of the sync of {@code slot} whose configuration names none, read at {@code source}. */
    static String of(Connection source, Dsn dsn, String slot) throws SQLException {
        Optional<String> made = Publications.madeFor(source, slot);
        if (made.isPresent()) {
            return made.get();
        }
        if (new SlotAdmin(source, dsn).find(slot).isPresent() && exists(source, EARLIER_DEFAULT)) {
            return EARLIER_DEFAULT;
        }
        return slot;
    }

    private static boolean exists(Connection c, String publication) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
