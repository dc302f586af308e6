package io.pgferry.core.value;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Reads the big-endian fields of a binary (send/recv) value from a slice of a byte array, checking every read
 * against the slice's end so a malformed value fails with a {@link BadValueException} instead of reading its
 * neighbour's bytes.
 */
final class BinaryReader {
    private final byte[] buf;
    private final int end;
    private int pos;

    BinaryReader(byte[] buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.length);
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    int remaining() {
        return end - pos;
    }

    int position() {
        return pos;
    }

    byte[] buffer() {
        return buf;
    }

    private void need(int n) {
        if (n < 0 || end - pos < n) {
            throw new BadValueException("binary value is " + (end - pos) + " bytes short of " + n + " more");
        }
    }

    int readUnsignedByte() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    short readShort() {
        need(2);
        short v = (short) ((buf[pos] & 0xFF) << 8 | (buf[pos + 1] & 0xFF));
        pos += 2;
        return v;
    }

    int readUnsignedShort() {
        return readShort() & 0xFFFF;
    }

    int readInt() {
        need(4);
        int v = (buf[pos] & 0xFF) << 24
                | (buf[pos + 1] & 0xFF) << 16
                | (buf[pos + 2] & 0xFF) << 8
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    long readLong() {
        long hi = readInt() & 0xFFFFFFFFL;
        return hi << 32 | (readInt() & 0xFFFFFFFFL);
    }

    byte[] readBytes(int n) {
        need(n);
        byte[] b = new byte[n];
        System.arraycopy(buf, pos, b, 0, n);
        pos += n;
        return b;
    }

    /** Skips n bytes (a nested value the caller decodes in place). */
    void skip(int n) {
        need(n);
        pos += n;
    }

    String readUtf8(int n) {
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    String readRemainingUtf8() {
        return readUtf8(remaining());
    }

    /** Fails unless the whole slice was read: a value with trailing bytes is not the type it claims to be. */
    void expectEnd() {
        if (pos != end) {
            throw new BadValueException("binary value has " + (end - pos) + " unexpected trailing bytes");
        }
    }
}
