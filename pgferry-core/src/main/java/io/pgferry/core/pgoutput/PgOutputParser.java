package io.pgferry.core.pgoutput;

import io.pgferry.core.Lsn;
import io.pgferry.core.pgoutput.PgOutputMessage.Begin;
import io.pgferry.core.pgoutput.PgOutputMessage.BeginPrepare;
import io.pgferry.core.pgoutput.PgOutputMessage.Commit;
import io.pgferry.core.pgoutput.PgOutputMessage.CommitPrepared;
import io.pgferry.core.pgoutput.PgOutputMessage.Delete;
import io.pgferry.core.pgoutput.PgOutputMessage.Insert;
import io.pgferry.core.pgoutput.PgOutputMessage.LogicalMessage;
import io.pgferry.core.pgoutput.PgOutputMessage.Origin;
import io.pgferry.core.pgoutput.PgOutputMessage.Prepare;
import io.pgferry.core.pgoutput.PgOutputMessage.Relation;
import io.pgferry.core.pgoutput.PgOutputMessage.RelationColumn;
import io.pgferry.core.pgoutput.PgOutputMessage.RollbackPrepared;
import io.pgferry.core.pgoutput.PgOutputMessage.StreamAbort;
import io.pgferry.core.pgoutput.PgOutputMessage.StreamCommit;
import io.pgferry.core.pgoutput.PgOutputMessage.StreamPrepare;
import io.pgferry.core.pgoutput.PgOutputMessage.StreamStart;
import io.pgferry.core.pgoutput.PgOutputMessage.StreamStop;
import io.pgferry.core.pgoutput.PgOutputMessage.Truncate;
import io.pgferry.core.pgoutput.PgOutputMessage.Type;
import io.pgferry.core.pgoutput.PgOutputMessage.Update;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Parses one pgoutput message into a {@link PgOutputMessage}. Field layouts follow the PostgreSQL docs, "Logical
 * Replication Message Formats" (protocol-logicalrep-message-formats), field by field and in order.
 *
 * <p>A pure function: no I/O, no logging, no state. It either returns a message that used exactly the given bytes or
 * throws {@link ProtocolException}; unknown tags, unknown tuple kinds, impossible lengths, missing string terminators,
 * truncation and trailing bytes are all errors, because skipping anything could silently drop a change.
 *
 * <p>This is the hot path of the change stream: column values are not copied or decoded; each {@link TupleData}
 * keeps a reference into the caller's array plus one {@code byte[]} and two {@code int[]} of column bounds.
 */
public final class PgOutputParser {
    private static final List<RelationColumn> NO_COLUMNS = List.of();

    private PgOutputParser() {}

    /**
     * Parses {@code buf[offset, offset + length)}.
     *
     * @param inStreamBlock whether the message lies between a Stream Start and a Stream Stop; there, with protocol
     *     version 2 or later, Relation, Type, Insert, Update, Delete, Truncate and Message carry the xid of the
     *     streamed transaction
     * @throws ProtocolException if the bytes are not exactly one valid message for {@code options}
     * @throws IndexOutOfBoundsException if the range does not lie within {@code buf} (a caller bug, not a protocol one)
     */
    public static PgOutputMessage parse(
            byte[] buf, int offset, int length, ParserOptions options, boolean inStreamBlock) {
        Objects.requireNonNull(buf, "buf");
        Objects.requireNonNull(options, "options");
        Objects.checkFromIndexSize(offset, length, buf.length);
        if (length == 0) {
            throw new ProtocolException("malformed pgoutput message: empty, expected at least a one-byte tag");
        }
        byte tag = buf[offset];
        String name = messageName(tag);
        if (name == null) {
            throw new ProtocolException(String.format(
                    Locale.ROOT,
                    "malformed pgoutput message: unknown message tag 0x%02X%s at byte 0 of %d",
                    tag & 0xFF,
                    printable(tag),
                    length));
        }
        requireProtocol(tag, name, options.protocolVersion());
        MessageReader in = new MessageReader(buf, offset, offset + length, name);
        // Changes, Relation, Type and Message carry the streamed transaction's xid only inside a stream block, and
        // only since protocol version 2 (docs: "only present for streamed transactions").
        boolean streamXid = inStreamBlock && options.protocolVersion() >= 2;
        PgOutputMessage message =
                switch (tag) {
                    case 'B' -> new Begin(in.lsn("final LSN"), in.int64("commit timestamp"), in.xid("xid"));
                    case 'C' -> new Commit(
                            in.int8("flags"), in.lsn("commit LSN"), in.lsn("end LSN"), in.int64("commit timestamp"));
                    case 'O' -> new Origin(in.lsn("commit LSN"), in.cstring("origin name"));
                    case 'R' -> relation(in, streamXid);
                    case 'Y' -> new Type(
                            xidIf(in, streamXid),
                            in.int32("type OID"),
                            in.cstring("namespace"),
                            in.cstring("type name"));
                    case 'I' -> insert(in, streamXid);
                    case 'U' -> update(in, streamXid);
                    case 'D' -> delete(in, streamXid);
                    case 'T' -> truncate(in, streamXid);
                    case 'M' -> logicalMessage(in, streamXid);
                    case 'S' -> new StreamStart(in.xid("xid"), in.int8("first segment flag") != 0);
                    case 'E' -> new StreamStop();
                    case 'c' -> new StreamCommit(
                            in.xid("xid"),
                            in.int8("flags"),
                            in.lsn("commit LSN"),
                            in.lsn("end LSN"),
                            in.int64("commit timestamp"));
                    case 'A' -> streamAbort(in, options.streamAbortHasLsn());
                    case 'b' -> new BeginPrepare(
                            in.lsn("prepare LSN"),
                            in.lsn("end LSN"),
                            in.int64("prepare timestamp"),
                            in.xid("xid"),
                            in.cstring("gid"));
                    case 'P' -> new Prepare(
                            in.int8("flags"),
                            in.lsn("prepare LSN"),
                            in.lsn("end LSN"),
                            in.int64("prepare timestamp"),
                            in.xid("xid"),
                            in.cstring("gid"));
                    case 'K' -> new CommitPrepared(
                            in.int8("flags"),
                            in.lsn("commit LSN"),
                            in.lsn("end LSN"),
                            in.int64("commit timestamp"),
                            in.xid("xid"),
                            in.cstring("gid"));
                    case 'r' -> new RollbackPrepared(
                            in.int8("flags"),
                            in.lsn("prepare end LSN"),
                            in.lsn("rollback end LSN"),
                            in.int64("prepare timestamp"),
                            in.int64("rollback timestamp"),
                            in.xid("xid"),
                            in.cstring("gid"));
                    case 'p' -> new StreamPrepare(
                            in.int8("flags"),
                            in.lsn("prepare LSN"),
                            in.lsn("end LSN"),
                            in.int64("prepare timestamp"),
                            in.xid("xid"),
                            in.cstring("gid"));
                    default -> throw new IllegalStateException("tag with a name but no parser: " + name);
                };
        in.expectEnd();
        return message;
    }

    /** The docs' name of a message type, or null for an unknown tag. */
    private static String messageName(byte tag) {
        return switch (tag) {
            case 'B' -> "Begin ('B')";
            case 'C' -> "Commit ('C')";
            case 'O' -> "Origin ('O')";
            case 'R' -> "Relation ('R')";
            case 'Y' -> "Type ('Y')";
            case 'I' -> "Insert ('I')";
            case 'U' -> "Update ('U')";
            case 'D' -> "Delete ('D')";
            case 'T' -> "Truncate ('T')";
            case 'M' -> "Message ('M')";
            case 'S' -> "Stream Start ('S')";
            case 'E' -> "Stream Stop ('E')";
            case 'c' -> "Stream Commit ('c')";
            case 'A' -> "Stream Abort ('A')";
            case 'b' -> "Begin Prepare ('b')";
            case 'P' -> "Prepare ('P')";
            case 'K' -> "Commit Prepared ('K')";
            case 'r' -> "Rollback Prepared ('r')";
            case 'p' -> "Stream Prepare ('p')";
            default -> null;
        };
    }

    /**
     * Streaming messages exist since protocol version 2, two-phase ones since 3 (docs: "This message is available
     * since protocol version ..."); a server never sends them on an older version, so receiving one means the
     * options do not match the session.
     */
    private static void requireProtocol(byte tag, String name, int version) {
        int needed =
                switch (tag) {
                    case 'S', 'E', 'c', 'A' -> 2;
                    case 'b', 'P', 'K', 'r', 'p' -> 3;
                    default -> 1;
                };
        if (version < needed) {
            throw new ProtocolException(
                    "pgoutput " + name + " message needs protocol version " + needed + " or later, but the parser"
                            + " was set up for version " + version,
                    "pass the proto_version the replication session actually negotiated in ParserOptions");
        }
    }

    private static String printable(byte tag) {
        return tag >= 0x20 && tag < 0x7F ? " ('" + (char) tag + "')" : "";
    }

    private static long xidIf(MessageReader in, boolean present) {
        return present ? in.xid("xid") : 0L;
    }

    private static Relation relation(MessageReader in, boolean streamXid) {
        long xid = xidIf(in, streamXid);
        int oid = in.int32("relation OID");
        String namespace = in.cstring("namespace");
        String name = in.cstring("relation name");
        byte replicaIdentity = in.int8("replica identity setting");
        int countAt = in.position();
        int count = in.uint16("number of columns");
        // flags (1) + name (at least its NUL, 1) + type OID (4) + type modifier (4)
        in.checkCount(count, 10, "number of columns", countAt);
        List<RelationColumn> columns = NO_COLUMNS;
        if (count > 0) {
            RelationColumn[] cols = new RelationColumn[count];
            for (int i = 0; i < count; i++) {
                cols[i] = new RelationColumn(
                        in.int8("column flags"),
                        in.cstring("column name"),
                        in.int32("column type OID"),
                        in.int32("column type modifier"));
            }
            columns = List.of(cols);
        }
        return new Relation(xid, oid, namespace, name, replicaIdentity, columns);
    }

    private static Insert insert(MessageReader in, boolean streamXid) {
        long xid = xidIf(in, streamXid);
        int oid = in.int32("relation OID");
        expectMarker(in, 'N', "new tuple marker");
        return new Insert(xid, oid, tuple(in));
    }

    /** Update: an optional old tuple ('K' key columns or 'O' whole row), then 'N' and the new tuple. */
    private static Update update(MessageReader in, boolean streamXid) {
        long xid = xidIf(in, streamXid);
        int oid = in.int32("relation OID");
        int markerAt = in.position();
        byte marker = in.int8("tuple marker");
        byte oldKind = 0;
        TupleData oldTuple = null;
        if (marker == 'K' || marker == 'O') {
            oldKind = marker;
            oldTuple = tuple(in);
            expectMarker(in, 'N', "new tuple marker");
        } else if (marker != 'N') {
            throw in.error(unexpectedMarker(marker, "'K', 'O' or 'N'"), markerAt);
        }
        return new Update(xid, oid, oldKind, oldTuple, tuple(in));
    }

    private static Delete delete(MessageReader in, boolean streamXid) {
        long xid = xidIf(in, streamXid);
        int oid = in.int32("relation OID");
        int markerAt = in.position();
        byte marker = in.int8("old tuple marker");
        if (marker != 'K' && marker != 'O') {
            throw in.error(unexpectedMarker(marker, "'K' or 'O'"), markerAt);
        }
        return new Delete(xid, oid, marker, tuple(in));
    }

    private static Truncate truncate(MessageReader in, boolean streamXid) {
        long xid = xidIf(in, streamXid);
        int countAt = in.position();
        int count = in.int32("number of relations");
        byte options = in.int8("option bits");
        in.checkCount(count, 4, "number of relations", countAt);
        int[] oids = new int[count];
        for (int i = 0; i < count; i++) {
            oids[i] = in.int32("relation OID");
        }
        return new Truncate(xid, options, oids);
    }

    private static LogicalMessage logicalMessage(MessageReader in, boolean streamXid) {
        long xid = xidIf(in, streamXid);
        byte flags = in.int8("flags");
        Lsn lsn = in.lsn("message LSN");
        String prefix = in.cstring("prefix");
        int n = in.length("content length");
        int from = in.skip(n, "content");
        return new LogicalMessage(xid, flags, lsn, prefix, Arrays.copyOfRange(in.buffer(), from, from + n));
    }

    private static StreamAbort streamAbort(MessageReader in, boolean hasLsn) {
        long xid = in.xid("xid");
        long subXid = in.xid("subtransaction xid");
        if (!hasLsn) {
            return new StreamAbort(xid, subXid, Lsn.INVALID, 0L);
        }
        return new StreamAbort(xid, subXid, in.lsn("abort LSN"), in.int64("abort timestamp"));
    }

    /**
     * TupleData: Int16 column count, then per column a kind byte; 't' (text) and 'b' (binary) are followed by an
     * Int32 length and that many bytes, 'n' (NULL) and 'u' (unchanged TOASTed value) by nothing.
     */
    private static TupleData tuple(MessageReader in) {
        int countAt = in.position();
        int count = in.uint16("number of columns");
        // Every column takes at least its kind byte: this bounds the arrays by the message size.
        in.checkCount(count, 1, "number of columns", countAt);
        byte[] kinds = new byte[count];
        int[] offsets = new int[count];
        int[] lengths = new int[count];
        for (int i = 0; i < count; i++) {
            int kindAt = in.position();
            byte kind = in.int8("column kind");
            switch (kind) {
                case TupleData.NULL, TupleData.UNCHANGED_TOAST -> {}
                case TupleData.TEXT, TupleData.BINARY -> {
                    int n = in.length("column value length");
                    offsets[i] = in.skip(n, "column value");
                    lengths[i] = n;
                }
                default -> throw in.error(
                        String.format(
                                Locale.ROOT,
                                "unknown kind 0x%02X%s of column %d, expected 'n', 'u', 't' or 'b'",
                                kind & 0xFF,
                                printable(kind),
                                i),
                        kindAt);
            }
            kinds[i] = kind;
        }
        return new TupleData(in.buffer(), kinds, offsets, lengths);
    }

    private static void expectMarker(MessageReader in, char expected, String field) {
        int at = in.position();
        byte marker = in.int8(field);
        if (marker != expected) {
            throw in.error(unexpectedMarker(marker, "'" + expected + "'"), at);
        }
    }

    private static String unexpectedMarker(byte marker, String expected) {
        return String.format(
                Locale.ROOT,
                "unexpected tuple marker 0x%02X%s, expected %s",
                marker & 0xFF,
                printable(marker),
                expected);
    }
}
