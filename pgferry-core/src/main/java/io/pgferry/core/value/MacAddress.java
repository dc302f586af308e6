package io.pgferry.core.value;

import java.util.Arrays;

/** A macaddr (6 bytes) or macaddr8 (8 bytes) value. The array is copied in and out: instances are immutable. */
public record MacAddress(byte[] bytes) {
    public MacAddress {
        if (bytes.length != 6 && bytes.length != 8) {
            throw new BadValueException("a MAC address has 6 or 8 bytes, not " + bytes.length);
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Parses PostgreSQL's output form: colon-separated pairs of hex digits. */
    static MacAddress parse(String text) {
        int n = (text.length() + 1) / 3;
        if (text.length() != n * 3 - 1 || (n != 6 && n != 8)) {
            throw new BadValueException("expected 6 or 8 colon-separated hex pairs");
        }
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            if (i > 0 && text.charAt(i * 3 - 1) != ':') {
                throw new BadValueException("expected ':' between hex pairs");
            }
            b[i] = (byte) (Hex.digit(text.charAt(i * 3)) << 4 | Hex.digit(text.charAt(i * 3 + 1)));
        }
        return new MacAddress(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** PostgreSQL's output: lower-case hex pairs separated by colons ({@code 08:00:2b:01:02:03}). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(bytes.length * 3);
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0) {
                sb.append(':');
            }
            Hex.appendByte(sb, bytes[i]);
        }
        return sb.toString();
    }
}
