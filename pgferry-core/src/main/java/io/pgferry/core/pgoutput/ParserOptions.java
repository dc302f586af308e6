package io.pgferry.core.pgoutput;

/**
 * What the replication session negotiated, as far as it changes the shape of pgoutput messages.
 *
 * @param protocolVersion the pgoutput {@code proto_version}, 1 to 4. Version 2 adds streaming (and the xid field of
 *     changes inside a stream block), 3 adds two-phase messages, 4 adds parallel streaming.
 * @param streamAbortHasLsn whether Stream Abort carries the abort LSN and time: true exactly when protocol version 4
 *     is used with {@code streaming = parallel} (PostgreSQL docs, "Logical Replication Message Formats", Stream Abort)
 */
public record ParserOptions(int protocolVersion, boolean streamAbortHasLsn) {
    public static final int MIN_PROTOCOL_VERSION = 1;
    public static final int MAX_PROTOCOL_VERSION = 4;

    public ParserOptions {
        if (protocolVersion < MIN_PROTOCOL_VERSION || protocolVersion > MAX_PROTOCOL_VERSION) {
            throw new IllegalArgumentException("pgoutput protocol version " + protocolVersion
                    + " is not supported: use " + MIN_PROTOCOL_VERSION + " to " + MAX_PROTOCOL_VERSION);
        }
        if (streamAbortHasLsn && protocolVersion < 4) {
            throw new IllegalArgumentException("Stream Abort only carries an abort LSN with protocol version 4, not "
                    + protocolVersion + ": set streamAbortHasLsn only for protocol 4 with streaming = parallel");
        }
    }

    /** Options for {@code protocolVersion} without parallel streaming. */
    public static ParserOptions of(int protocolVersion) {
        return new ParserOptions(protocolVersion, false);
    }
}
