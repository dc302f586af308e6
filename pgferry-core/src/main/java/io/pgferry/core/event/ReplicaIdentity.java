package io.pgferry.core.event;

/**
 * A table's REPLICA IDENTITY setting (pg_class.relreplident): what the server sends as the old row of an UPDATE or
 * DELETE. See the PostgreSQL docs, ALTER TABLE ... REPLICA IDENTITY.
 */
public enum ReplicaIdentity {
    /** The primary key, if there is one. */
    DEFAULT('d'),
    /** Nothing: UPDATE and DELETE cannot be published. */
    NOTHING('n'),
    /** The whole old row. */
    FULL('f'),
    /** The columns of a chosen unique index. */
    INDEX('i');

    private final char code;

    ReplicaIdentity(char code) {
        this.code = code;
    }

    public char code() {
        return code;
    }

    /** Maps pg_class.relreplident / the pgoutput Relation byte; an unknown code is an error. */
    public static ReplicaIdentity fromCode(int code) {
        for (ReplicaIdentity r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown replica identity code " + code);
    }
}
