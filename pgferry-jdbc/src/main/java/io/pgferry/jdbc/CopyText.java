package io.pgferry.jdbc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Rows in COPY's text format (see the PostgreSQL docs, "COPY", File Formats: Text Format): tab between columns,
 * {@code \N} for NULL, a newline after each row, and backslash escapes for backslash, tab, newline and carriage
 * return inside values. Appended to one growable buffer.
 */
public final class CopyText {
    private byte[] buf;
    private int size;

    /** @param capacity bytes expected, the buffer grows past it */
    public CopyText(int capacity) {
        buf = new byte[capacity + 1024];
    }

    /** Appends one row; each value a String, or null for NULL. */
    public void row(Object[] values) {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                put((byte) '\t');
            }
            String v = (String) values[i];
            if (v == null) {
                put((byte) '\\');
                put((byte) 'N');
            } else {
                value(v);
            }
        }
        put((byte) '\n');
    }

    /** UTF-8 with COPY's backslash escapes for backslash, tab, newline and carriage return. */
    private void value(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '\\' -> {
                        put((byte) '\\');
                        put((byte) '\\');
                    }
                    case '\t' -> {
                        put((byte) '\\');
                        put((byte) 't');
                    }
                    case '\n' -> {
                        put((byte) '\\');
                        put((byte) 'n');
                    }
                    case '\r' -> {
                        put((byte) '\\');
                        put((byte) 'r');
                    }
                    default -> put((byte) c);
                }
            } else if (c < 0x800) {
                put((byte) (0xC0 | (c >> 6)));
                put((byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c) && i + 1 < v.length()) {
                int cp = Character.toCodePoint(c, v.charAt(++i));
                put((byte) (0xF0 | (cp >> 18)));
                put((byte) (0x80 | ((cp >> 12) & 0x3F)));
                put((byte) (0x80 | ((cp >> 6) & 0x3F)));
                put((byte) (0x80 | (cp & 0x3F)));
            } else {
                put((byte) (0xE0 | (c >> 12)));
                put((byte) (0x80 | ((c >> 6) & 0x3F)));
                put((byte) (0x80 | (c & 0x3F)));
            }
        }
    }

    private void put(byte b) {
        if (size == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[size++] = b;
    }

    /** The buffer; its first {@link #size()} bytes are the rows. */
    public byte[] bytes() {
        return buf;
    }

    public int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    /** For tests: the buffer as a string. */
    String text() {
        return new String(buf, 0, size, StandardCharsets.UTF_8);
    }
}
