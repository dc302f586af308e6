package io.pgferry.jdbc.foreign;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Rows in the text format of MySQL's and MariaDB's {@code LOAD DATA ... FIELDS TERMINATED BY '\t' ESCAPED BY '\\'
 * LINES TERMINATED BY '\n'}: {@code \N} for NULL, backslash escapes for backslash, tab, newline, carriage return and
 * NUL inside values, UTF-8 text. Byte arrays are written as hex, which the statement turns back with {@code UNHEX()}
 * (raw bytes would be read as utf8mb4 text). See the MariaDB docs, "LOAD DATA INFILE".
 */
final class LoadDataText {
    private final ByteArrayOutputStream out;

    LoadDataText(int capacity) {
        out = new ByteArrayOutputStream(capacity);
    }

    void rows(List<Object[]> rows) {
        for (Object[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    out.write('\t');
                }
                value(row[i]);
            }
            out.write('\n');
        }
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private void value(Object v) {
        if (v == null) {
            out.write('\\');
            out.write('N');
        } else if (v instanceof byte[] b) {
            ascii(ValueConverter.hex(b));
        } else if (v instanceof Boolean b) {
            out.write(b ? '1' : '0');
        } else if (v instanceof BigDecimal d) {
            ascii(d.toPlainString());
        } else if (v instanceof String s) {
            text(s);
        } else {
            ascii(v.toString());
        }
    }

    private void ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            out.write(s.charAt(i));
        }
    }

    private void text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (byte c : b) {
            switch (c) {
                case '\\' -> {
                    out.write('\\');
                    out.write('\\');
                }
                case '\t' -> {
                    out.write('\\');
                    out.write('t');
                }
                case '\n' -> {
                    out.write('\\');
                    out.write('n');
                }
                case '\r' -> {
                    out.write('\\');
                    out.write('r');
                }
                case 0 -> {
                    out.write('\\');
                    out.write('0');
                }
                default -> out.write(c);
            }
        }
    }
}
