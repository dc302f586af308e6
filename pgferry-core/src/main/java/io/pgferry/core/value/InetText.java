package io.pgferry.core.value;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The text forms of inet and cidr, after PostgreSQL's {@code inet_out} and {@code pg_inet_net_ntop}
 * (src/port/inet_net_ntop.c): IPv4 always as four octets; IPv6 with the longest run (the first of equally long ones)
 * of two or more zero groups written as {@code ::}, groups in lower-case hex without leading zeros, and the last 32
 * bits as a dotted quad when the zero run is exactly groups 0 to 5 ({@code ::1.2.3.4}) or groups 0 to 4 followed by
 * ffff ({@code ::ffff:1.2.3.4}). The netmask length is appended when it is not the full address, and always for
 * cidr.
 */
final class InetText {
    private InetText() {}

    static Inet parse(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = host.indexOf(':') >= 0 ? parseIpv6(host) : parseIpv4(host);
        int prefix = slash < 0 ? bytes.length * 8 : parseDecimal(text.substring(slash + 1), 128);
        return new Inet(address(bytes), prefix);
    }

    /** The address for 4 or 16 bytes; 16 bytes stay IPv6 even when IPv4-mapped. Never consults DNS. */
    static InetAddress address(byte[] bytes) {
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new BadValueException("an address has 4 or 16 bytes, not " + bytes.length, e);
        }
    }

    static String format(Inet inet, boolean cidr) {
        byte[] b = inet.address().getAddress();
        StringBuilder sb = new StringBuilder(48);
        if (b.length == 4) {
            appendDottedQuad(sb, b, 0);
        } else {
            appendIpv6(sb, b);
        }
        if (cidr || inet.prefixLength() != b.length * 8) {
            sb.append('/').append(inet.prefixLength());
        }
        return sb.toString();
    }

    private static void appendDottedQuad(StringBuilder sb, byte[] b, int from) {
        for (int i = from; i < from + 4; i++) {
            if (i > from) {
                sb.append('.');
            }
            sb.append(b[i] & 0xFF);
        }
    }

    private static void appendIpv6(StringBuilder sb, byte[] b) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = (b[2 * i] & 0xFF) << 8 | (b[2 * i + 1] & 0xFF);
        }
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int i = 0; i <= 8; i++) {
            if (i < 8 && words[i] == 0) {
                if (curBase < 0) {
                    curBase = i;
                    curLen = 0;
                }
                curLen++;
            } else if (curBase >= 0) {
                if (curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (bestLen < 2) {
            bestBase = -1;
        }
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    sb.append(':');
                }
                continue;
            }
            if (i != 0) {
                sb.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xFFFF))) {
                appendDottedQuad(sb, b, 12);
                return;
            }
            sb.append(Integer.toHexString(words[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) {
            sb.append(':');
        }
    }

    private static byte[] parseIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new BadValueException("an IPv4 address has four octets");
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) parseDecimal(parts[i], 255);
        }
        return b;
    }

    private static byte[] parseIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            throw new BadValueException("an IPv6 address has at most one '::'");
        }
        byte[] head = gap < 0 ? groups(s) : groups(s.substring(0, gap));
        byte[] tail = gap < 0 ? new byte[0] : groups(s.substring(gap + 2));
        if (gap < 0 ? head.length != 16 : head.length + tail.length > 14) {
            throw new BadValueException("an IPv6 address has eight 16-bit groups");
        }
        byte[] b = new byte[16];
        System.arraycopy(head, 0, b, 0, head.length);
        System.arraycopy(tail, 0, b, 16 - tail.length, tail.length);
        return b;
    }

    /** Colon-separated hex groups, the last of which may be a dotted quad; empty text is no groups. */
    private static byte[] groups(String s) {
        if (s.isEmpty()) {
            return new byte[0];
        }
        String[] parts = s.split(":", -1);
        boolean quad = parts[parts.length - 1].indexOf('.') >= 0;
        byte[] b = new byte[parts.length * 2 + (quad ? 2 : 0)];
        for (int i = 0; i < parts.length; i++) {
            if (quad && i == parts.length - 1) {
                System.arraycopy(parseIpv4(parts[i]), 0, b, i * 2, 4);
                break;
            }
            String p = parts[i];
            if (p.isEmpty() || p.length() > 4) {
                throw new BadValueException("an IPv6 group has one to four hex digits");
            }
            int w = 0;
            for (int j = 0; j < p.length(); j++) {
                w = w << 4 | Hex.digit(p.charAt(j));
            }
            b[i * 2] = (byte) (w >> 8);
            b[i * 2 + 1] = (byte) w;
        }
        return b;
    }

    private static int parseDecimal(String s, int max) {
        if (s.isEmpty() || s.length() > 3) {
            throw new BadValueException("expected a number of one to three digits");
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new BadValueException("expected a decimal digit");
            }
            v = v * 10 + (c - '0');
        }
        if (v > max) {
            throw new BadValueException("number above " + max);
        }
        return v;
    }
}
