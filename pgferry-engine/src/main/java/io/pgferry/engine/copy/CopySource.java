package io.pgferry.engine.copy;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hot standby of the source that a chunked copy reads from, sparing the primary the copy's reads. A chunk read on
 * the standby sees the source as of the standby's replay position, which is never ahead of the source: so the
 * position the copy reads at the source after its last chunk still bounds what every chunk saw, and the replay from
 * the slot's start converges as it does for chunks read at the source. The standby must have replayed past the
 * slot's start before the first chunk, or a chunk could miss a change the slot does not hold.
 */
public final class CopySource {
    private static final Logger log = LoggerFactory.getLogger(CopySource.class);
    private static final Duration LOG_EVERY = Duration.ofSeconds(10);

    private CopySource() {}

    /** Refuses a copy source that is not a hot standby of the source. */
    public static void check(Connection standby, Connection source, String where) throws SQLException {
        if (!queryBoolean(standby, "SELECT pg_catalog.pg_is_in_recovery()")) {
            throw PgFerryException.fatal(
                    "the copy source " + where + " is not a hot standby (it is not in recovery), so its rows may"
                            + " not be the source's",
                    "give a streaming standby of the source, or copy from the source itself");
        }
        Optional<String> standbyId = systemIdentifier(standby);
        Optional<String> sourceId = systemIdentifier(source);
        if (standbyId.isPresent() && sourceId.isPresent() && !standbyId.equals(sourceId)) {
            throw PgFerryException.fatal(
                    "the copy source " + where + " is a standby of another cluster than the source (system"
                            + " identifiers differ)",
                    "give a standby of the source");
        }
    }

    /**
     * Waits until the standby has replayed past {@code point}; fails after {@code max}. See the PostgreSQL docs,
     * "Recovery Information Functions" (pg_last_wal_replay_lsn).
     */
    static void awaitReplay(Connection standby, Lsn point, Duration max, String where) throws SQLException {
        long started = System.nanoTime();
        long nextLog = started + LOG_EVERY.toNanos();
        try (Statement st = standby.createStatement()) {
            while (true) {
                Lsn replayed;
                try (ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_last_wal_replay_lsn()::text")) {
                    rs.next();
                    String text = rs.getString(1);
                    replayed = text == null ? Lsn.INVALID : Lsn.parse(text);
                }
                if (!replayed.isBefore(point)) {
                    return;
                }
                long now = System.nanoTime();
                if (now - started > max.toNanos()) {
                    throw PgFerryException.fatal(
                            "the copy source " + where + " has replayed only to " + replayed + ", not past the slot's"
                                    + " start " + point + ", within " + max.toSeconds() + " s",
                            "check that the standby is streaming from the source, then run the sync again");
                }
                if (now > nextLog) {
                    log.info("waiting for the copy source to replay past {} (at {})", point, replayed);
                    nextLog = now + LOG_EVERY.toNanos();
                }
                try {
                    Thread.sleep(50); // polling interval of a wait on the server, not a synchronisation
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw PgFerryException.fatal("interrupted while waiting for the copy source", "run it again", e);
                }
            }
        }
    }

    /** The cluster's system identifier, when the role may read it. */
    private static Optional<String> systemIdentifier(Connection c) {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT system_identifier::text FROM pg_catalog.pg_control_system()")) {
            rs.next();
            return Optional.of(rs.getString(1));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    private static boolean queryBoolean(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
