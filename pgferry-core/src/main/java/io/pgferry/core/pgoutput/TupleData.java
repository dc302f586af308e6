package io.pgferry.core.pgoutput;

import java.nio.charset.StandardCharsets;

/**
 * The column values of one row as sent in a TupleData block (PostgreSQL docs, "Logical Replication Message
 * Formats"). It does not copy: it keeps a reference to the message's byte array and the offset and length of each
 * column, so a value is only turned into a string or decoded when someone asks for it.
 *
 * <p>Immutable as long as nobody writes to the array it was built on; the parser's callers hand it arrays they no
 * longer touch.
 */
public final class TupleData {
    /** Column is NULL. */
    public static final byte NULL = 'n';
    /** Column is an unchanged TOASTed value; the actual value is not sent. */
    public static final byte UNCHANGED_TOAST = 'u';
    /** Column is in text format. */
    public static final byte TEXT = 't';
    /** Column is in binary format (the {@code binary} option). */
    public static final byte BINARY = 'b';

    private final byte[] buffer;
    private final byte[] kinds;
    private final int[] offsets;
    private final int[] lengths;

    /** Arrays are taken as they are, not copied; {@code kinds}, {@code offsets} and {@code lengths} are equally long. */
    public TupleData(byte[] buffer, byte[] kinds, int[] offsets, int[] lengths) {
        this.buffer = buffer;
        this.kinds = kinds;
        this.offsets = offsets;
        this.lengths = lengths;
    }

    public int size() {
        return kinds.length;
    }

    /** One of {@link #NULL}, {@link #UNCHANGED_TOAST}, {@link #TEXT}, {@link #BINARY}. */
    public byte kind(int column) {
        return kinds[column];
    }

    public boolean isNull(int column) {
        return kinds[column] == NULL;
    }

    public boolean isUnchangedToast(int column) {
        return kinds[column] == UNCHANGED_TOAST;
    }

    /** The raw bytes' array; read only {@link #offset(int)} to {@code offset + length}. */
    public byte[] buffer() {
        return buffer;
    }

    public int offset(int column) {
        return offsets[column];
    }

    public int length(int column) {
        return lengths[column];
    }

    /** The value's bytes decoded as UTF-8 (for a text-format column, PostgreSQL's text output); null if absent. */
    public String text(int column) {
        byte k = kinds[column];
        if (k != TEXT && k != BINARY) {
            return null;
        }
        return new String(buffer, offsets[column], lengths[column], StandardCharsets.UTF_8);
    }

    /** A copy of the value's bytes, or null for a NULL or unchanged TOAST column. */
    public byte[] bytes(int column) {
        byte k = kinds[column];
        if (k != TEXT && k != BINARY) {
            return null;
        }
        byte[] out = new byte[lengths[column]];
        System.arraycopy(buffer, offsets[column], out, 0, out.length);
        return out;
    }
}
