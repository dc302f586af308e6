package io.pgferry.core.pgoutput;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Writes pgoutput messages by hand, big-endian, the way the server's pq_send* functions do. Test-only. */
final class MessageBuilder {
    private byte[] buf = new byte[32];
    private int size;

    private MessageBuilder() {}

    static MessageBuilder tag(char tag) {
        return new MessageBuilder().int8(tag);
    }

    MessageBuilder int8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    MessageBuilder int16(int v) {
        return int8(v >>> 8).int8(v);
    }

    MessageBuilder int32(int v) {
        return int16(v >>> 16).int16(v);
    }

    MessageBuilder int32(long unsigned) {
        return int32((int) unsigned);
    }

    MessageBuilder int64(long v) {
        return int32((int) (v >>> 32)).int32((int) v);
    }

    /** A NUL-terminated UTF-8 string. */
    MessageBuilder cstring(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8)).int8(0);
    }

    MessageBuilder bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    /** TupleData header: the column count. */
    MessageBuilder columns(int count) {
        return int16(count);
    }

    MessageBuilder nullColumn() {
        return int8('n');
    }

    MessageBuilder toastColumn() {
        return int8('u');
    }

    MessageBuilder text(String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        return int8('t').int32(b.length).bytes(b);
    }

    MessageBuilder binary(byte[] value) {
        return int8('b').int32(value.length).bytes(value);
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
