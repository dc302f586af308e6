package io.pgferry.core.event;

import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.value.PgValues;
import io.pgferry.core.value.TypeResolver;

/**
 * The column values of one row, in the column order of its {@link Relation}. Values are decoded lazily, on the first
 * call to {@link #value(int)} for a column, so a consumer that only counts or forwards text pays nothing for decoding.
 *
 * <p>Not thread-safe: the decoded-value cache is filled without synchronisation. Hand a row to another thread only
 * with a happens-before edge (a queue does).
 */
public final class Row {
    private static final Object NOT_DECODED = new Object();

    private final Relation relation;
    private final TupleData data;
    private final TypeResolver types;
    private final boolean keyOnly;
    private Object[] decoded;

    public Row(Relation relation, TupleData data, TypeResolver types, boolean keyOnly) {
        if (data.size() != relation.columns().size()) {
            throw new IllegalArgumentException("row of " + data.size() + " columns for relation " + relation + " of "
                    + relation.columns().size() + " columns");
        }
        this.relation = relation;
        this.data = data;
        this.types = types;
        this.keyOnly = keyOnly;
    }

    public Relation relation() {
        return relation;
    }

    public int size() {
        return data.size();
    }

    public Column column(int i) {
        return relation.columns().get(i);
    }

    /**
     * True for an old key sent with REPLICA IDENTITY DEFAULT or INDEX: only the key columns carry values, the others
     * are NULL placeholders.
     */
    public boolean isKeyOnly() {
        return keyOnly;
    }

    public boolean isNull(int i) {
        return data.isNull(i);
    }

    /** The server did not send this column because the value is TOASTed and did not change. */
    public boolean isUnchangedToast(int i) {
        return data.isUnchangedToast(i);
    }

    /** True when the value came in binary format (the {@code binary} option). */
    public boolean isBinary(int i) {
        return data.kind(i) == TupleData.BINARY;
    }

    /** PostgreSQL's text output of the value (rendered from the binary form if need be); null if NULL or unsent. */
    public String text(int i) {
        if (data.kind(i) == TupleData.BINARY) {
            return PgValues.binaryToText(column(i).typeOid(), data.buffer(), data.offset(i), data.length(i), types);
        }
        return data.text(i);
    }

    /**
     * The value as an exact Java value (see {@link PgValues} for the mapping); null if NULL or an unchanged TOAST
     * value.
     */
    public Object value(int i) {
        byte kind = data.kind(i);
        if (kind == TupleData.NULL || kind == TupleData.UNCHANGED_TOAST) {
            return null;
        }
        if (decoded == null) {
            decoded = new Object[data.size()];
            java.util.Arrays.fill(decoded, NOT_DECODED);
        }
        Object v = decoded[i];
        if (v == NOT_DECODED) {
            int oid = column(i).typeOid();
            v = kind == TupleData.BINARY
                    ? PgValues.fromBinary(oid, data.buffer(), data.offset(i), data.length(i), types)
                    : PgValues.fromText(oid, data.text(i), types);
            decoded[i] = v;
        }
        return v;
    }

    /** The value of the named column; throws if the relation has no such column. */
    public Object value(String columnName) {
        return value(indexOrThrow(columnName));
    }

    public String text(String columnName) {
        return text(indexOrThrow(columnName));
    }

    /** The underlying tuple, for consumers that forward raw bytes. */
    public TupleData tuple() {
        return data;
    }

    public TypeResolver types() {
        return types;
    }

    private int indexOrThrow(String columnName) {
        int i = relation.indexOf(columnName);
        if (i < 0) {
            throw new IllegalArgumentException("relation " + relation + " has no column named " + columnName);
        }
        return i;
    }
}
