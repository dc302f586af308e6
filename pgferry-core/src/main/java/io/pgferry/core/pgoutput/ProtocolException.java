package io.pgferry.core.pgoutput;

import io.pgferry.core.PgFerryException;

/**
 * The server sent bytes that do not form a valid message of the negotiated protocol: an unknown tag, a truncated
 * message, a length that runs past the end, trailing bytes. Always fatal: skipping a message would silently lose or
 * corrupt changes, and retrying replays the same bytes.
 *
 * <p>The message names the message type, the field and the byte offset, never a row value.
 */
public final class ProtocolException extends PgFerryException {
    private static final long serialVersionUID = 1L;

    static final String DEFAULT_FIX =
            "this is a bug in pgferry or the server; report it with the PostgreSQL server version and the"
                    + " replication options (proto_version, streaming, two_phase, binary)";

    public ProtocolException(String problem) {
        super(problem, DEFAULT_FIX, false, null);
    }

    public ProtocolException(String problem, String fix) {
        super(problem, fix, false, null);
    }
}
