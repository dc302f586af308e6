package io.pgferry.core.sink;

import io.pgferry.core.PgFerryException;
import java.util.Optional;

/**
 * A {@link PgFerryException} that one source table caused: a copy or an apply of its rows that the destination
 * refused, or a change of its definition the sync does not follow. The engine records a fatal one as the table's
 * {@link TableState#ERROR} state, with {@link #problem()} as the error, so that a status read from the destination
 * alone names the table that stopped the sync. The message is the cause's, unchanged, and like every
 * PgFerryException carries no row values.
 */
public final class TableFailure extends PgFerryException {
    private static final long serialVersionUID = 1L;

    private final String schema;
    private final String table;

    private TableFailure(String schema, String table, PgFerryException cause) {
        super(cause.problem(), cause.fix(), cause.isRetriable(), cause);
        this.schema = schema;
        this.table = table;
    }

    /**
     * {@code e} attributed to the source table {@code schema.table} (names as the source spells them, unquoted), or
     * {@code e} itself when it is already attributed.
     */
    public static TableFailure of(String schema, String table, PgFerryException e) {
        if (e instanceof TableFailure t) {
            return t;
        }
        return new TableFailure(schema, table, e);
    }

    /** The source table's schema, unquoted. */
    public String schema() {
        return schema;
    }

    /** The source table's name, unquoted. */
    public String table() {
        return table;
    }

    /** The first TableFailure in {@code e}'s chain of causes, if any. */
    public static Optional<TableFailure> in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TableFailure f) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
