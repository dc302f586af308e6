package io.pgferry.core.pgoutput;

import io.pgferry.core.Lsn;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A bounds-checked big-endian cursor over one message, {@code buf[start, end)}. Every read checks the bytes left
 * first, so a short or lying message ends in a {@link ProtocolException} naming the message, the field and the
 * offset, never in an {@link ArrayIndexOutOfBoundsException}.
 *
 * <p>Invariant: {@code start <= pos <= end <= buf.length}.
 */
final class MessageReader {
    private final byte[] buf;
    private final int start;
    private final int end;
    private final String message;
    private int pos;

    /** {@code message} names the message type in errors, e.g. {@code "Insert ('I')"}; the tag byte is skipped. */
    MessageReader(byte[] buf, int start, int end, String message) {
        this.buf = buf;
        this.start = start;
        this.end = end;
        this.message = message;
        this.pos = start + 1;
    }

    byte[] buffer() {
        return buf;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    byte int8(String field) {
        need(1, field);
        return buf[pos++];
    }

    /** An Int16 read as unsigned: the counts it carries are never negative. */
    int uint16(String field) {
        need(2, field);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    int int32(String field) {
        need(4, field);
        int v = ((buf[pos] & 0xFF) << 24)
                | ((buf[pos + 1] & 0xFF) << 16)
                | ((buf[pos + 2] & 0xFF) << 8)
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    long int64(String field) {
        need(8, field);
        long hi = ((buf[pos] & 0xFFL) << 24)
                | ((buf[pos + 1] & 0xFFL) << 16)
                | ((buf[pos + 2] & 0xFFL) << 8)
                | (buf[pos + 3] & 0xFFL);
        long lo = ((buf[pos + 4] & 0xFFL) << 24)
                | ((buf[pos + 5] & 0xFFL) << 16)
                | ((buf[pos + 6] & 0xFFL) << 8)
                | (buf[pos + 7] & 0xFFL);
        pos += 8;
        return (hi << 32) | lo;
    }

    /** A TransactionId: an unsigned Int32. */
    long xid(String field) {
        return Integer.toUnsignedLong(int32(field));
    }

    Lsn lsn(String field) {
        return Lsn.of(int64(field));
    }

    /** A NUL-terminated UTF-8 string; the terminator is consumed. */
    String cstring(String field) {
        int nul = pos;
        while (nul < end && buf[nul] != 0) {
            nul++;
        }
        if (nul == end) {
            throw error(field + " has no NUL terminator before the end of the message", pos);
        }
        String s = new String(buf, pos, nul - pos, StandardCharsets.UTF_8);
        pos = nul + 1;
        return s;
    }

    /**
     * Reads an Int32 length and checks it against the bytes left; the caller then takes {@link #skip(int, String)}.
     */
    int length(String field) {
        int at = pos;
        int n = int32(field);
        if (n < 0) {
            throw error(field + " is negative (" + n + ")", at);
        }
        if (n > end - pos) {
            throw error(field + " is " + n + " but only " + (end - pos) + " bytes are left", at);
        }
        return n;
    }

    /** Consumes {@code n} bytes and returns the offset in the buffer where they start. */
    int skip(int n, String field) {
        need(n, field);
        int at = pos;
        pos += n;
        return at;
    }

    /** Checks that a count of items, each at least {@code minItemSize} bytes long, can fit in what is left. */
    void checkCount(long count, int minItemSize, String field, int countOffset) {
        if (count < 0) {
            throw error(field + " is negative (" + count + ")", countOffset);
        }
        if (count * minItemSize > end - pos) {
            throw error(
                    field + " is " + count + " but only " + (end - pos) + " bytes are left for items of at least "
                            + minItemSize + " bytes",
                    countOffset);
        }
    }

    void expectEnd() {
        if (pos != end) {
            throw error((end - pos) + " trailing bytes after a complete message", pos);
        }
    }

    ProtocolException error(String problem) {
        return error(problem, pos);
    }

    ProtocolException error(String problem, int at) {
        return new ProtocolException(String.format(
                Locale.ROOT,
                "malformed pgoutput %s message: %s (at byte %d of %d)",
                message,
                problem,
                at - start,
                end - start));
    }

    private void need(int n, String field) {
        if (n > end - pos) {
            throw error("message ends before " + field + " (" + n + " bytes needed, " + (end - pos) + " left)");
        }
    }
}
