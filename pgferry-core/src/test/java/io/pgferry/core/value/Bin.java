package io.pgferry.core.value;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test-side encoders of PostgreSQL binary (send) forms, written independently of the decoders under test. */
final class Bin {
    static final LocalDateTime PG_EPOCH = LocalDateTime.of(2000, 1, 1, 0, 0);

    private Bin() {}

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static byte[] int2(short v) {
        return ByteBuffer.allocate(2).putShort(v).array();
    }

    static byte[] int4(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    static byte[] int8(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static byte[] float4(float v) {
        return ByteBuffer.allocate(4).putFloat(v).array();
    }

    static byte[] float8(double v) {
        return ByteBuffer.allocate(8).putDouble(v).array();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** numeric_send of a finite value; the display scale is the value's scale (at least 0). */
    static byte[] numeric(BigDecimal v) {
        int dscale = Math.max(0, v.scale());
        BigDecimal abs = v.abs().setScale(dscale);
        // Split into base-10000 digits around the decimal point: pad the fraction to a multiple of 4 digits.
        int fracGroups = (dscale + 3) / 4;
        BigInteger scaled = abs.movePointRight(fracGroups * 4).toBigIntegerExact();
        List<Integer> digits = new ArrayList<>();
        BigInteger tenK = BigInteger.valueOf(10000);
        while (scaled.signum() > 0) {
            BigInteger[] qr = scaled.divideAndRemainder(tenK);
            digits.add(0, qr[1].intValue());
            scaled = qr[0];
        }
        int weight = digits.size() - fracGroups - 1;
        while (!digits.isEmpty() && digits.get(0) == 0) {
            digits.remove(0);
            weight--;
        }
        while (!digits.isEmpty() && digits.get(digits.size() - 1) == 0) {
            digits.remove(digits.size() - 1);
        }
        if (digits.isEmpty()) {
            weight = 0;
        }
        ByteBuffer b = ByteBuffer.allocate(8 + digits.size() * 2);
        b.putShort((short) digits.size()).putShort((short) weight);
        b.putShort((short) (v.signum() < 0 ? 0x4000 : 0)).putShort((short) dscale);
        digits.forEach(d -> b.putShort(d.shortValue()));
        return b.array();
    }

    static byte[] numericSign(int sign) {
        return ByteBuffer.allocate(8)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) sign)
                .putShort((short) 0)
                .array();
    }

    static byte[] date(LocalDate d) {
        return int4(Math.toIntExact(ChronoUnit.DAYS.between(PG_EPOCH.toLocalDate(), d)));
    }

    static byte[] timestamp(LocalDateTime t) {
        Duration d = Duration.between(PG_EPOCH, t);
        return int8(Math.addExact(Math.multiplyExact(d.getSeconds(), 1_000_000L), d.getNano() / 1000));
    }

    static byte[] interval(long micros, int days, int months) {
        return ByteBuffer.allocate(16)
                .putLong(micros)
                .putInt(days)
                .putInt(months)
                .array();
    }

    /** array_send with the given dimensions and lower bounds; a null element is NULL. */
    static byte[] array(int elementOid, int[] dims, int[] lowerBounds, List<byte[]> elements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(int4(dims.length));
        // List.of(...).contains(null) throws, so look for NULLs by hand.
        out.writeBytes(int4(elements.stream().anyMatch(e -> e == null) ? 1 : 0));
        out.writeBytes(int4(elementOid));
        for (int i = 0; i < dims.length; i++) {
            out.writeBytes(int4(dims[i]));
            out.writeBytes(int4(lowerBounds[i]));
        }
        for (byte[] e : elements) {
            if (e == null) {
                out.writeBytes(int4(-1));
            } else {
                out.writeBytes(int4(e.length));
                out.writeBytes(e);
            }
        }
        return out.toByteArray();
    }
}
