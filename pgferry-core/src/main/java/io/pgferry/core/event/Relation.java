package io.pgferry.core.event;

import java.util.List;

/**
 * A published table as the server described it in its latest Relation message. Identifiers are kept exactly as
 * PostgreSQL stores them (case, quotes, unicode); quote them before putting them in SQL.
 */
public record Relation(int oid, String schema, String table, ReplicaIdentity replicaIdentity, List<Column> columns) {
    public Relation {
        columns = List.copyOf(columns);
    }

    /** Position of the named column, or -1. */
    public int indexOf(String columnName) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(columnName)) {
                return i;
            }
        }
        return -1;
    }

    /** The replica identity columns, in table order. */
    public List<Column> keyColumns() {
        return columns.stream().filter(Column::key).toList();
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }
}
