package io.pgferry.core.pgoutput;

import java.util.ArrayList;
import java.util.List;

/** Valid messages of every type, with the options and stream state they are valid for. Test-only. */
final class Samples {
    static final ParserOptions V1 = ParserOptions.of(1);
    static final ParserOptions V2 = ParserOptions.of(2);
    static final ParserOptions V3 = ParserOptions.of(3);
    static final ParserOptions V4 = ParserOptions.of(4);
    static final ParserOptions V4_PARALLEL = new ParserOptions(4, true);

    /** Every valid ParserOptions combination. */
    static final List<ParserOptions> ALL_OPTIONS = List.of(V1, V2, V3, V4, V4_PARALLEL);

    static final long LSN = 0x16_B374_D848L;
    static final long LSN2 = 0x16_B374_D900L;
    static final long TIME = 777_000_123_456L;
    static final long BIG_XID = 0xFFFF_FFFEL;

    record Sample(String name, byte[] bytes, ParserOptions options, boolean inStreamBlock) {
        @Override
        public String toString() {
            return name;
        }
    }

    private Samples() {}

    static List<Sample> all() {
        List<Sample> s = new ArrayList<>();
        s.add(new Sample("begin", begin(), V1, false));
        s.add(new Sample("commit", commit(), V1, false));
        s.add(new Sample(
                "origin", MessageBuilder.tag('O').int64(LSN).cstring("node_ü").build(), V1, false));
        s.add(new Sample("relation", relation(false), V1, false));
        s.add(new Sample("relation streamed", relation(true), V2, true));
        s.add(new Sample("type", type(false), V1, false));
        s.add(new Sample("type streamed", type(true), V2, true));
        s.add(new Sample("insert", insert(), V1, false));
        s.add(new Sample(
                "insert streamed",
                MessageBuilder.tag('I')
                        .int32(9)
                        .int32(16385)
                        .int8('N')
                        .columns(1)
                        .text("x")
                        .build(),
                V2,
                true));
        s.add(new Sample("update no old", updateWithout(), V1, false));
        s.add(new Sample("update key", updateWith('K'), V1, false));
        s.add(new Sample("update old", updateWith('O'), V1, false));
        s.add(new Sample("delete key", delete('K'), V1, false));
        s.add(new Sample(
                "delete old streamed",
                MessageBuilder.tag('D')
                        .int32(9)
                        .int32(16385)
                        .int8('O')
                        .columns(2)
                        .text("1")
                        .nullColumn()
                        .build(),
                V3,
                true));
        s.add(new Sample("truncate", truncate(), V1, false));
        s.add(new Sample("message", message(false, 1), V1, false));
        s.add(new Sample("message streamed", message(true, 1), V2, true));
        s.add(new Sample("message non-transactional", message(false, 0), V4, false));
        s.add(new Sample(
                "stream start", MessageBuilder.tag('S').int32(BIG_XID).int8(1).build(), V2, false));
        s.add(new Sample("stream stop", MessageBuilder.tag('E').build(), V2, true));
        s.add(new Sample("stream commit", streamCommit(), V2, false));
        s.add(new Sample(
                "stream abort", MessageBuilder.tag('A').int32(10).int32(11).build(), V2, false));
        s.add(new Sample("stream abort with lsn", streamAbortWithLsn(), V4_PARALLEL, false));
        s.add(new Sample("begin prepare", beginPrepare(), V3, false));
        s.add(new Sample("prepare", twoPhase('P'), V3, false));
        s.add(new Sample("commit prepared", twoPhase('K'), V3, false));
        s.add(new Sample("rollback prepared", rollbackPrepared(), V3, false));
        s.add(new Sample("stream prepare", twoPhase('p'), V3, false));
        return s;
    }

    static byte[] begin() {
        return MessageBuilder.tag('B').int64(LSN).int64(TIME).int32(BIG_XID).build();
    }

    static byte[] commit() {
        return MessageBuilder.tag('C')
                .int8(0)
                .int64(LSN)
                .int64(LSN2)
                .int64(TIME)
                .build();
    }

    static byte[] relation(boolean withXid) {
        MessageBuilder b = MessageBuilder.tag('R');
        if (withXid) {
            b.int32(BIG_XID);
        }
        return b.int32(16385)
                .cstring("schéma")
                .cstring("表")
                .int8('d')
                .int16(3)
                .int8(1)
                .cstring("id")
                .int32(23)
                .int32(-1)
                .int8(0)
                .cstring("ключ")
                .int32(1043)
                .int32(68)
                .int8(0)
                .cstring("")
                .int32(17)
                .int32(-1)
                .build();
    }

    static byte[] type(boolean withXid) {
        MessageBuilder b = MessageBuilder.tag('Y');
        if (withXid) {
            b.int32(42);
        }
        return b.int32(90001).cstring("public").cstring("mood").build();
    }

    static byte[] insert() {
        return MessageBuilder.tag('I')
                .int32(16385)
                .int8('N')
                .columns(5)
                .text("42")
                .nullColumn()
                .toastColumn()
                .binary(new byte[] {0, 1, 2, (byte) 0xFF})
                .text("")
                .build();
    }

    static byte[] updateWithout() {
        return MessageBuilder.tag('U')
                .int32(16385)
                .int8('N')
                .columns(2)
                .text("1")
                .text("new")
                .build();
    }

    static byte[] updateWith(char oldKind) {
        return MessageBuilder.tag('U')
                .int32(16385)
                .int8(oldKind)
                .columns(2)
                .text("1")
                .text("old")
                .int8('N')
                .columns(2)
                .text("2")
                .toastColumn()
                .build();
    }

    static byte[] delete(char oldKind) {
        return MessageBuilder.tag('D')
                .int32(16385)
                .int8(oldKind)
                .columns(2)
                .text("1")
                .nullColumn()
                .build();
    }

    static byte[] truncate() {
        return MessageBuilder.tag('T')
                .int32(3)
                .int8(3)
                .int32(16385)
                .int32(16390)
                .int32(0xFFFF_FFF0)
                .build();
    }

    static byte[] message(boolean withXid, int flags) {
        MessageBuilder b = MessageBuilder.tag('M');
        if (withXid) {
            b.int32(77);
        }
        return b.int8(flags)
                .int64(LSN)
                .cstring("pgferry")
                .int32(4)
                .bytes(new byte[] {'a', 0, 'b', (byte) 0x80})
                .build();
    }

    static byte[] streamCommit() {
        return MessageBuilder.tag('c')
                .int32(BIG_XID)
                .int8(0)
                .int64(LSN)
                .int64(LSN2)
                .int64(TIME)
                .build();
    }

    static byte[] streamAbortWithLsn() {
        return MessageBuilder.tag('A')
                .int32(10)
                .int32(11)
                .int64(LSN)
                .int64(TIME)
                .build();
    }

    static byte[] beginPrepare() {
        return MessageBuilder.tag('b')
                .int64(LSN)
                .int64(LSN2)
                .int64(TIME)
                .int32(BIG_XID)
                .cstring("gid-1")
                .build();
    }

    /** Prepare, Commit Prepared and Stream Prepare share one layout. */
    static byte[] twoPhase(char tag) {
        return MessageBuilder.tag(tag)
                .int8(0)
                .int64(LSN)
                .int64(LSN2)
                .int64(TIME)
                .int32(BIG_XID)
                .cstring("gid-ü")
                .build();
    }

    static byte[] rollbackPrepared() {
        return MessageBuilder.tag('r')
                .int8(0)
                .int64(LSN)
                .int64(LSN2)
                .int64(TIME)
                .int64(TIME + 1)
                .int32(BIG_XID)
                .cstring("gid-1")
                .build();
    }
}
