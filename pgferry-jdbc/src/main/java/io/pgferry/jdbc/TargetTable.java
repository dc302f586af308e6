package io.pgferry.jdbc;

import java.util.Objects;

/** A table at the destination, identifiers exactly as the destination stores them (never quoted here). */
public record TargetTable(String schema, String table) {
    public TargetTable {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }
}
