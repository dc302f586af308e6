package io.pgferry.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes pgoutput messages by hand, big-endian, the way the server's {@code pq_send*} functions do (PostgreSQL docs,
 * "Logical Replication Message Formats"). The benchmarks' own copy of the idea behind the core tests' builder, so
 * the bench jar needs no test jar.
 */
final class PgOutputBytes {
    private byte[] buf = new byte[64];
    private int size;

    private PgOutputBytes() {}

    static PgOutputBytes tag(char tag) {
        return new PgOutputBytes().int8(tag);
    }

    PgOutputBytes int8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    PgOutputBytes int16(int v) {
        return int8(v >>> 8).int8(v);
    }

    PgOutputBytes int32(int v) {
        return int16(v >>> 16).int16(v);
    }

    PgOutputBytes int64(long v) {
        return int32((int) (v >>> 32)).int32((int) v);
    }

    /** A NUL-terminated UTF-8 string. */
    PgOutputBytes cstring(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8)).int8(0);
    }

    PgOutputBytes bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    /** One TupleData column in text format: 't', Int32 length, the bytes. */
    PgOutputBytes text(String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        return int8('t').int32(b.length).bytes(b);
    }

    byte[] build() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int n) {
        if (size + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }
    }
}
