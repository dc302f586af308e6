package io.pgferry.engine.schema;

import io.pgferry.core.Lsn;
import io.pgferry.core.sink.TableFailure;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.postgres.catalog.TableName;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A source table as a sync needs it: its columns and keys to create it at the target, the relations its rows live
 * in (itself, or the leaf partitions of a partitioned table), and what is built after the data is in.
 *
 * @param oid the table's pg_class OID
 * @param printed its name as PostgreSQL prints it qualified in catalog output (quote_ident rules)
 * @param replicaIdentity pg_class.relreplident
 * @param replicaIdentityIndex for a replica identity {@code USING INDEX} ('i'), the index's name, quoted as needed;
 *     else null
 * @param primaryKey primary key columns in key order; empty when none
 * @param leaves the relations holding the rows: the table itself, or its leaf partitions
 * @param indexes CREATE INDEX statements of the source (not those backing constraints), naming the source table
 * @param constraints unique, check, exclusion and foreign-key constraints
 * @param bytes the size of the rows' relations, for ordering and progress
 * @param estimatedRows pg_class.reltuples summed over the leaves (-1 unknown)
 * @param readAt the source's WAL position read just before this definition was: a transaction committed at or after
 *     it was made under this definition or a later one; one committed before it may have been made under an older one
 * @param rowFilter the sync's publication's row filter for this table (PostgreSQL 15 and later), a boolean SQL
 *     expression over its columns, or null for none: a copy reads only the rows it keeps, as the stream carries only
 *     their changes (PostgreSQL docs, "Logical Replication", Row Filters)
 */
public record SourceTable(
        TableName name,
        long oid,
        String printed,
        char replicaIdentity,
        String replicaIdentityIndex,
        List<ColumnDef> columns,
        List<String> primaryKey,
        List<Leaf> leaves,
        List<String> indexes,
        List<ConstraintDef> constraints,
        long bytes,
        long estimatedRows,
        Lsn readAt,
        String rowFilter) {

    /**
     * A relation holding rows: its OID, qualified quoted name, size in 8 kB blocks and pg_class.reltuples (-1 when
     * never analyzed).
     */
    public record Leaf(long oid, String qualified, long blocks, long estimatedRows) {}

    /**
     * @param printedReference for a foreign key, the referenced table as printed in {@code definition}; else null
     * @param referencedOid for a foreign key, the referenced table's OID; else 0
     */
    record ConstraintDef(String name, char type, String definition, String printedReference, long referencedOid) {}

    /** The columns a copy reads and writes: all but generated ones. */
    public List<ColumnDef> copyColumns() {
        return columns.stream().filter(c -> c.generated() == null).toList();
    }

    /**
     * {@code bounds}, conditions selecting a part of a relation's rows (or empty), ANDed with the row filter, as a
     * WHERE clause; empty when there is neither.
     */
    public String where(List<String> bounds) {
        List<String> all = new ArrayList<>(bounds);
        if (rowFilter != null) {
            all.add("(" + rowFilter + ")");
        }
        return all.isEmpty() ? "" : " WHERE " + String.join(" AND ", all);
    }

    /** {@code e}, met while {@code doing} this table ("could not copy table"), as this table's failure. */
    public TableFailure failure(String doing, SQLException e) {
        return TableFailure.of(name.schema(), name.name(), JdbcErrors.classify(e, doing + " " + name));
    }

    /** {@link #failure(String, SQLException)} for an error of the source, which the fix names. */
    public TableFailure sourceFailure(String doing, SQLException e) {
        return TableFailure.of(name.schema(), name.name(), JdbcErrors.classifyAt(e, doing + " " + name, "the source"));
    }
}
