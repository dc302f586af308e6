package io.pgferry.postgres;

import io.pgferry.core.pgoutput.TupleData;

/**
 * Parses one row of COPY's text format (PostgreSQL docs, COPY, "Text Format") into a {@link TupleData} of text
 * values: columns are separated by tabs, {@code \N} is NULL, and backslash escapes ({@code \\ \b \f \n \r \t \v},
 * octal {@code \NNN}, hex {@code \xHH}) stand for single bytes. The unescaped values are exactly the output-function
 * text that pgoutput sends, so snapshot rows and streamed rows decode the same way.
 */
public final class CopyTextRow {
    private CopyTextRow() {}

    /** @param row one CopyData message of a text-format COPY TO, with or without its trailing newline */
    public static TupleData parse(byte[] row, int columns) {
        int end = row.length;
        if (end > 0 && row[end - 1] == '\n') {
            end--;
        }
        byte[] out = new byte[end];
        byte[] kinds = new byte[columns];
        int[] offsets = new int[columns];
        int[] lengths = new int[columns];
        int col = 0;
        int w = 0;
        int start = 0;
        boolean isNull = false;
        int i = 0;
        while (true) {
            if (i == end || row[i] == '\t') {
                if (col >= columns) {
                    throw new IllegalStateException("COPY row has more than " + columns + " columns");
                }
                kinds[col] = isNull ? TupleData.NULL : TupleData.TEXT;
                offsets[col] = start;
                lengths[col] = isNull ? 0 : w - start;
                col++;
                if (i == end) {
                    break;
                }
                i++;
                start = w;
                isNull = false;
                continue;
            }
            byte b = row[i++];
            if (b != '\\') {
                out[w++] = b;
                continue;
            }
            if (i == end) {
                throw new IllegalStateException("COPY row ends in a lone backslash");
            }
            byte e = row[i++];
            switch (e) {
                case 'N' -> isNull = true;
                case 'b' -> out[w++] = '\b';
                case 'f' -> out[w++] = '\f';
                case 'n' -> out[w++] = '\n';
                case 'r' -> out[w++] = '\r';
                case 't' -> out[w++] = '\t';
                case 'v' -> out[w++] = 0x0B;
                case 'x' -> {
                    int v = 0;
                    int n = 0;
                    while (n < 2 && i < end && Character.digit(row[i], 16) >= 0) {
                        v = v * 16 + Character.digit(row[i++], 16);
                        n++;
                    }
                    out[w++] = (byte) v;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        int n = 1;
                        while (n < 3 && i < end && row[i] >= '0' && row[i] <= '7') {
                            v = v * 8 + (row[i++] - '0');
                            n++;
                        }
                        out[w++] = (byte) v;
                    } else {
                        out[w++] = e;
                    }
                }
            }
        }
        if (col != columns) {
            throw new IllegalStateException("COPY row has " + col + " columns, expected " + columns);
        }
        return new TupleData(out, kinds, offsets, lengths);
    }
}
