package io.pgferry.engine.copy;

import java.sql.SQLException;

/**
 * A failure of a copy's source session, told from one of its target session: a copy into PostgreSQL reads one server
 * and writes the other on the same thread, and an {@link SQLException} alone does not say which server's it is. The
 * cause is the driver's exception, unchanged; the state and code are its, and {@code JdbcErrors} reads the
 * server's message through it. {@link CopyRetry} names the source in its
 * log line and in the fix of a failure it gives up on.
 */
final class SourceFailure extends SQLException {
    private static final long serialVersionUID = 1L;

    private SourceFailure(SQLException cause) {
        super(cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
    }

    /** {@code e}, known to come from the source; one that says so already is returned as it is. */
    static SourceFailure of(SQLException e) {
        return e instanceof SourceFailure s ? s : new SourceFailure(e);
    }
}
