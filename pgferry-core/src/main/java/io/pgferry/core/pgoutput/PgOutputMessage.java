package io.pgferry.core.pgoutput;

import io.pgferry.core.Lsn;
import java.util.List;

/**
 * One pgoutput message, as defined in the PostgreSQL docs, "Logical Replication Message Formats"
 * (protocol-logicalrep-message-formats). The set is closed: {@link PgOutputParser} returns one of these or throws
 * {@link ProtocolException}.
 *
 * <p>Timestamps are kept as the server sends them: microseconds since 2000-01-01 00:00:00 UTC (the PostgreSQL
 * epoch). Transaction ids are unsigned 32-bit values widened to {@code long}; {@code 0} (InvalidTransactionId) means
 * "not present", which is the case for the xid field of change messages outside a streamed block.
 */
public sealed interface PgOutputMessage {

    /** 'B': start of a (non-streamed) transaction. {@code finalLsn} is the LSN of its commit record. */
    record Begin(Lsn finalLsn, long commitTime, long xid) implements PgOutputMessage {}

    /** 'C': end of a transaction. {@code endLsn} is the position just past the commit record. */
    record Commit(byte flags, Lsn commitLsn, Lsn endLsn, long commitTime) implements PgOutputMessage {}

    /** 'O': the transaction was replayed from another origin. */
    record Origin(Lsn commitLsn, String name) implements PgOutputMessage {}

    /** 'R': the layout of a table, sent before the first change to it after a (re)start or schema change. */
    record Relation(
            long xid, int oid, String namespace, String name, byte replicaIdentity, List<RelationColumn> columns)
            implements PgOutputMessage {}

    /** One column of a {@link Relation}; flag bit 1 marks a replica identity (key) column. */
    record RelationColumn(byte flags, String name, int typeOid, int typeModifier) {
        public boolean isKey() {
            return (flags & 1) != 0;
        }
    }

    /** 'Y': name of a non-built-in type, sent before the first {@link Relation} that uses it. */
    record Type(long xid, int oid, String namespace, String name) implements PgOutputMessage {}

    /** 'I': a new row. */
    record Insert(long xid, int relationOid, TupleData newTuple) implements PgOutputMessage {}

    /**
     * 'U': a changed row. {@code oldKind} is {@code 'K'} (old key columns only), {@code 'O'} (whole old row, replica
     * identity FULL) or {@code 0} when the server sent no old tuple (key unchanged, in which case {@code oldTuple} is
     * null).
     */
    record Update(long xid, int relationOid, byte oldKind, TupleData oldTuple, TupleData newTuple)
            implements PgOutputMessage {}

    /** 'D': a deleted row; {@code oldKind} is {@code 'K'} or {@code 'O'} as for {@link Update}. */
    record Delete(long xid, int relationOid, byte oldKind, TupleData oldTuple) implements PgOutputMessage {}

    /** 'T': TRUNCATE of one or more tables. Option bits: 1 = CASCADE, 2 = RESTART IDENTITY. */
    record Truncate(long xid, byte options, int[] relationOids) implements PgOutputMessage {
        public boolean cascade() {
            return (options & 1) != 0;
        }

        public boolean restartIdentity() {
            return (options & 2) != 0;
        }
    }

    /** 'M': a message written by {@code pg_logical_emit_message}; flag bit 1 marks it transactional. */
    record LogicalMessage(long xid, byte flags, Lsn lsn, String prefix, byte[] content) implements PgOutputMessage {
        public boolean transactional() {
            return (flags & 1) != 0;
        }
    }

    /** 'S': a block of changes of an in-progress (streamed) transaction follows. */
    record StreamStart(long xid, boolean firstSegment) implements PgOutputMessage {}

    /** 'E': end of a streamed block. */
    record StreamStop() implements PgOutputMessage {}

    /** 'c': a streamed transaction committed. */
    record StreamCommit(long xid, byte flags, Lsn commitLsn, Lsn endLsn, long commitTime) implements PgOutputMessage {}

    /**
     * 'A': a streamed transaction ({@code subXid == xid}) or one of its subtransactions aborted. {@code abortLsn} and
     * {@code abortTime} are only sent with protocol 4 and parallel streaming; otherwise they are {@link Lsn#INVALID}
     * and 0.
     */
    record StreamAbort(long xid, long subXid, Lsn abortLsn, long abortTime) implements PgOutputMessage {}

    /** 'b': start of a prepared transaction (two-phase). */
    record BeginPrepare(Lsn prepareLsn, Lsn endLsn, long prepareTime, long xid, String gid)
            implements PgOutputMessage {}

    /** 'P': a transaction was prepared. */
    record Prepare(byte flags, Lsn prepareLsn, Lsn endLsn, long prepareTime, long xid, String gid)
            implements PgOutputMessage {}

    /** 'K': a prepared transaction committed. */
    record CommitPrepared(byte flags, Lsn commitLsn, Lsn endLsn, long commitTime, long xid, String gid)
            implements PgOutputMessage {}

    /** 'r': a prepared transaction rolled back. */
    record RollbackPrepared(
            byte flags,
            Lsn prepareEndLsn,
            Lsn rollbackEndLsn,
            long prepareTime,
            long rollbackTime,
            long xid,
            String gid)
            implements PgOutputMessage {}

    /** 'p': a streamed transaction was prepared. */
    record StreamPrepare(byte flags, Lsn prepareLsn, Lsn endLsn, long prepareTime, long xid, String gid)
            implements PgOutputMessage {}
}
