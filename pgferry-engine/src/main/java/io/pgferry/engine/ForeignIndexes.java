package io.pgferry.engine;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.engine.copy.CopyEnd;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.foreign.ForeignDialect;
import io.pgferry.jdbc.foreign.ForeignDialect.IndexDdl;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's secondary indexes, built on the tables a copy into a database that is not PostgreSQL created, once
 * their rows are in (as for a PostgreSQL target: loading rows into an indexed table is slower than indexing them
 * after). Tables that existed are used as they are.
 *
 * <p>Each becomes a plain index on the same columns, in the same order. A unique index or constraint becomes a plain
 * index too: these databases check uniqueness at each statement, and the apply writes a transaction's rows by key, not
 * in the source's order, so two rows that swapped values would collide where the source, which checked at each of its
 * own statements, did not. Indexes on expressions, partial indexes and those of another method than btree are left
 * out with a warning, as are those the destination cannot build on the columns' types ({@link
 * ForeignDialect#createIndex}).
 *
 * <p>Invariant: an index is built before the copy records its end, and one that exists is skipped, so a crash while
 * indexes are built leaves the copy to end again (see {@link CopyEnd}). The definitions are read at the source when
 * the rows are in.
 */
final class ForeignIndexes implements CopyEnd {
    private static final Logger log = LoggerFactory.getLogger(ForeignIndexes.class);

    /** Every index of a table but its primary key: name, unique, method, partial, on expressions, valid, columns. */
    private static final String INDEXES = "SELECT c.relname, i.indisunique, am.amname, i.indpred IS NOT NULL,"
            + " i.indexprs IS NOT NULL, i.indisvalid,"
            + " ARRAY(SELECT a.attname FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS"
            + " k(attnum, o) JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
            + " WHERE k.o <= i.indnkeyatts ORDER BY k.o)"
            + " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
            + " JOIN pg_catalog.pg_am am ON am.oid = c.relam"
            + " WHERE i.indrelid = ? AND NOT i.indisprimary ORDER BY c.relname";

    /** One source index: what to build, or why not (then {@code ddl} is null). */
    record Planned(TableName table, TargetTable target, String sourceName, String name, boolean unique, IndexDdl ddl) {}

    private final Dsn source;
    private final List<SourceTable> tables;
    private final Map<TableName, Relation> relations;
    private final Map<TableName, TargetTable> targets;
    private final Map<TableName, Boolean> created;
    private final ForeignDialect dialect;
    private final Supplier<Connection> target;
    private final String where;

    /**
     * The indexes of those of {@code tables} that {@code created} says the sync made, read at {@code source} when they
     * are built: {@code created} too is read then.
     */
    ForeignIndexes(
            Dsn source,
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            Map<TableName, TargetTable> targets,
            Map<TableName, Boolean> created,
            ForeignDialect dialect,
            Supplier<Connection> target,
            String where) {
        this.source = source;
        this.tables = tables;
        this.relations = relations;
        this.targets = targets;
        this.created = created;
        this.dialect = dialect;
        this.target = target;
        this.where = where;
    }

    /** The source's indexes of the tables the sync created, as the destination builds them. */
    private List<Planned> read() throws SQLException {
        List<Planned> planned = new ArrayList<>();
        try (Connection c = Connections.open(source);
                PreparedStatement ps = c.prepareStatement(INDEXES)) {
            for (SourceTable t : tables) {
                if (!Boolean.TRUE.equals(created.get(t.name()))) {
                    continue;
                }
                List<Column> columns = ForeignTables.keyOf(relations.get(t.name()));
                TargetTable tt = targets.get(t.name());
                ps.setLong(1, t.oid());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String name = rs.getString(1);
                        String here = dialect.indexName(tt, name);
                        IndexDdl ddl = plan(rs, columns, t, dialect, tt, here);
                        if (ddl != null) {
                            planned.add(new Planned(t.name(), tt, name, here, rs.getBoolean(2), ddl));
                        }
                    }
                }
            }
        }
        return planned;
    }

    /** The index of the current row as the destination builds it; null for one the primary key already is. */
    private static IndexDdl plan(
            ResultSet rs, List<Column> columns, SourceTable t, ForeignDialect dialect, TargetTable tt, String name)
            throws SQLException {
        String method = rs.getString(3);
        if (!rs.getBoolean(6)) {
            return IndexDdl.impossible("it is not valid at the source (a CREATE INDEX CONCURRENTLY that failed)");
        }
        if (!method.equals("btree")) {
            return IndexDdl.impossible("it is a " + method + " index; only btree indexes are built");
        }
        if (rs.getBoolean(5)) {
            return IndexDdl.impossible("it indexes an expression");
        }
        if (rs.getBoolean(4)) {
            return IndexDdl.impossible("it is partial (it has a WHERE clause)");
        }
        List<String> names = new ArrayList<>();
        Array array = rs.getArray(7);
        for (Object o : (Object[]) array.getArray()) {
            names.add((String) o);
        }
        if (new HashSet<>(names).equals(new HashSet<>(t.primaryKey()))) {
            return null;
        }
        List<Column> on = new ArrayList<>();
        for (String n : names) {
            Column c = columns.stream()
                    .filter(col -> col.name().equals(n))
                    .findFirst()
                    .orElse(null);
            if (c == null) {
                return IndexDdl.impossible("its column " + n + " is generated, and not replicated");
            }
            on.add(c);
        }
        int keyColumns = (int) columns.stream().filter(Column::key).count();
        return dialect.createIndex(tt, name, on, keyColumns);
    }

    /** Builds the indexes of the tables the sync created that are missing; warns once for each it cannot build. */
    @Override
    public void run() throws SQLException {
        long started = System.nanoTime();
        int built = 0;
        int unique = 0;
        try (Connection c = target.get();
                Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            for (Planned p : read()) {
                if (p.ddl().sql() == null) {
                    log.warn(
                            "index {} of table {} is not built at {}: {}",
                            p.sourceName(),
                            p.table(),
                            where,
                            p.ddl().impossible());
                    continue;
                }
                if (dialect.indexExists(c, p.target(), p.name())) {
                    continue;
                }
                try {
                    st.execute(p.ddl().sql());
                } catch (SQLException e) {
                    if (!c.isValid(5)) {
                        throw e;
                    }
                    log.warn(
                            "index {} of table {} could not be built at {} ({}); build it by hand if it is needed",
                            p.sourceName(),
                            p.table(),
                            where,
                            e.getMessage());
                    continue;
                }
                built++;
                unique += p.unique() ? 1 : 0;
            }
        }
        if (built > 0) {
            log.info(
                    "built {} indexes at {} in {} ms{}",
                    built,
                    where,
                    (System.nanoTime() - started) / 1_000_000,
                    unique == 0 ? "" : " (" + unique + " unique at the source, plain here: see docs/destinations.md)");
        }
    }
}
