package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The stream's own WAL messages, non-transactional logical messages with the prefix {@value #PREFIX} (PostgreSQL
 * docs, {@code pg_logical_emit_message}): a heartbeat after a quiet spell, so that the slot advances while the
 * published tables are idle, and a nudge while waiting for an end position. They come back through the slot and are
 * handed to the handler only when it owns the position ({@link StreamConfig#handlerOwnsPosition()}).
 *
 * <p>Used from the stream's thread only.
 */
final class Heartbeats {
    static final String PREFIX = "pgferry.heartbeat";
    /** How often a stream waiting for its end position writes a message. */
    private static final Duration NUDGE_INTERVAL = Duration.ofMillis(500);

    /** The heartbeat interval; null for none. */
    private final Duration every;

    private long lastNanos;

    Heartbeats(Duration every) {
        this.every = every;
    }

    /** Writes a heartbeat when nothing arrived for the interval since {@code lastActivityNanos}, and none was written. */
    void beatIfQuiet(Connection sql, long now, long lastActivityNanos) throws SQLException {
        if (every == null || now - lastActivityNanos < every.toNanos() || now - lastNanos < every.toNanos()) {
            return;
        }
        lastNanos = now;
        emit(sql);
    }

    /**
     * While {@code received} is before {@code until}, writes a small message now and then: the server only reports a
     * position once it has decoded a record ending there, and an idle server may write nothing past the end
     * position for a long time.
     */
    void nudge(Connection sql, long now, Lsn received, Lsn until) throws SQLException {
        if (now - lastNanos >= NUDGE_INTERVAL.toNanos() && received.isBefore(until)) {
            lastNanos = now;
            emit(sql);
        }
    }

    private static void emit(Connection sql) throws SQLException {
        try (Statement st = sql.createStatement()) {
            st.execute("SELECT pg_catalog.pg_logical_emit_message(false, '" + PREFIX + "', '')");
        }
    }
}
