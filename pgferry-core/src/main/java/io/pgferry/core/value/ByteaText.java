package io.pgferry.core.value;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytea text forms (PostgreSQL docs, "Binary Data Types"): hex ({@code \x} and two lower-case hex digits per
 * byte; the default bytea_output) and the older escape format (bytes as themselves, a backslash doubled, other
 * bytes as a backslash and three octal digits).
 */
final class ByteaText {
    private ByteaText() {}

    static byte[] parse(String s) {
        if (s.startsWith("\\x")) {
            return parseHex(s);
        }
        return parseEscape(s);
    }

    private static byte[] parseHex(String s) {
        byte[] out = new byte[(s.length() - 2) / 2];
        int n = 0;
        int i = 2;
        while (i < s.length()) {
            char c = s.charAt(i);
            // bytea's input accepts whitespace between digit pairs; its output never has any.
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
                continue;
            }
            if (i + 1 >= s.length()) {
                throw new BadValueException("odd number of hex digits in bytea");
            }
            out[n++] = (byte) (Hex.digit(c) << 4 | Hex.digit(s.charAt(i + 1)));
            i += 2;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static byte[] parseEscape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '\\') {
                // Output escapes every byte outside printable ASCII; anything else is taken as its UTF-8 bytes.
                int end = i + 1;
                while (end < s.length() && s.charAt(end) != '\\') {
                    end++;
                }
                out.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            } else if (i + 1 < s.length() && s.charAt(i + 1) == '\\') {
                out.write('\\');
                i += 2;
            } else if (isOctal(s, i + 1)) {
                out.write((s.charAt(i + 1) - '0') << 6 | (s.charAt(i + 2) - '0') << 3 | (s.charAt(i + 3) - '0'));
                i += 4;
            } else {
                throw new BadValueException("invalid escape in bytea escape format");
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(String s, int at) {
        return at + 2 < s.length()
                && s.charAt(at) >= '0'
                && s.charAt(at) <= '3'
                && s.charAt(at + 1) >= '0'
                && s.charAt(at + 1) <= '7'
                && s.charAt(at + 2) >= '0'
                && s.charAt(at + 2) <= '7';
    }

    static String format(byte[] b) {
        StringBuilder sb = new StringBuilder(2 + b.length * 2);
        sb.append("\\x");
        for (byte x : b) {
            Hex.appendByte(sb, x);
        }
        return sb.toString();
    }
}
