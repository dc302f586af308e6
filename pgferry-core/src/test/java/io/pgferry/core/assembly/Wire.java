package io.pgferry.core.assembly;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds pgoutput messages for assembly tests (PostgreSQL docs, "Logical Replication Message Formats"). */
final class Wire {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    private Wire(char tag) {
        u8(tag);
    }

    static Wire tag(char tag) {
        return new Wire(tag);
    }

    Wire u8(int v) {
        try {
            out.writeByte(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Wire i16(int v) {
        try {
            out.writeShort(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Wire i32(long v) {
        try {
            out.writeInt((int) v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Wire i64(long v) {
        try {
            out.writeLong(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Wire str(String s) {
        try {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.writeByte(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Wire textColumns(String... values) {
        i16(values.length);
        for (String v : values) {
            u8('t');
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            i32(b.length);
            try {
                out.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return this;
    }

    byte[] build() {
        return bytes.toByteArray();
    }

    static byte[] begin(long finalLsn, long xid) {
        return tag('B').i64(finalLsn).i64(0).i32(xid).build();
    }

    static byte[] commit(long commitLsn, long endLsn) {
        return tag('C').u8(0).i64(commitLsn).i64(endLsn).i64(0).build();
    }

    /** Relation 16384 public.t (id int4 key, v text); {@code xid} > 0 inside a streamed block. */
    static byte[] relation(long xid) {
        Wire w = tag('R');
        if (xid > 0) {
            w.i32(xid);
        }
        return w.i32(16384)
                .str("public")
                .str("t")
                .u8('d')
                .i16(2)
                .u8(1)
                .str("id")
                .i32(23)
                .i32(-1)
                .u8(0)
                .str("v")
                .i32(25)
                .i32(-1)
                .build();
    }

    static byte[] insert(long xid, String id, String v) {
        Wire w = tag('I');
        if (xid > 0) {
            w.i32(xid);
        }
        return w.i32(16384).u8('N').textColumns(id, v).build();
    }

    static byte[] streamStart(long xid, boolean first) {
        return tag('S').i32(xid).u8(first ? 1 : 0).build();
    }

    static byte[] streamStop() {
        return tag('E').build();
    }

    static byte[] streamCommit(long xid, long commitLsn, long endLsn) {
        return tag('c').i32(xid).u8(0).i64(commitLsn).i64(endLsn).i64(0).build();
    }

    static byte[] streamAbort(long xid, long subXid) {
        return tag('A').i32(xid).i32(subXid).build();
    }

    static byte[] beginPrepare(long prepareLsn, long endLsn, long xid, String gid) {
        return tag('b').i64(prepareLsn).i64(endLsn).i64(0).i32(xid).str(gid).build();
    }

    static byte[] prepare(long prepareLsn, long endLsn, long xid, String gid) {
        return tag('P').u8(0)
                .i64(prepareLsn)
                .i64(endLsn)
                .i64(0)
                .i32(xid)
                .str(gid)
                .build();
    }

    static byte[] commitPrepared(long commitLsn, long endLsn, long xid, String gid) {
        return tag('K').u8(0)
                .i64(commitLsn)
                .i64(endLsn)
                .i64(0)
                .i32(xid)
                .str(gid)
                .build();
    }

    static byte[] rollbackPrepared(long prepareEnd, long rollbackEnd, long xid, String gid) {
        return tag('r').u8(0)
                .i64(prepareEnd)
                .i64(rollbackEnd)
                .i64(0)
                .i64(0)
                .i32(xid)
                .str(gid)
                .build();
    }
}
