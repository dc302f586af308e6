package io.pgferry.connect.sink;

import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.PostgresDialect;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.jdbc.foreign.ForeignDialect;
import io.pgferry.jdbc.foreign.JdbcTarget;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * The destination database of the sink connector: PostgreSQL through a {@link Dsn}, or MySQL, MariaDB, SQLite or SQL
 * Server through a {@link JdbcTarget}, with the dialect pgferry's sync uses for it and the same table naming. {@link
 * #toString()} never includes the password.
 */
final class Target {
    private final Dsn postgres;
    private final JdbcTarget foreign;
    private final Unrepresentable policy;
    private Dialect dialect;

    private Target(Dsn postgres, JdbcTarget foreign, Unrepresentable policy) {
        this.postgres = postgres;
        this.foreign = foreign;
        this.policy = policy;
    }

    static Target postgres(Dsn dsn) {
        return new Target(dsn, null, Unrepresentable.ERROR);
    }

    static Target foreign(JdbcTarget target, Unrepresentable policy) {
        return new Target(null, target, policy);
    }

    boolean isPostgres() {
        return postgres != null;
    }

    /**
     * Whether the destination takes one writer at a time: SQLite locks the whole file for a write, so a second task
     * would only wait for the first, and could not keep an added column's default for rows it writes later in an older
     * shape (SQLite cannot drop or keep a column default apart from its declaration, see {@link
     * io.pgferry.jdbc.Dialect#addColumnIfAbsent}).
     */
    boolean oneWriter() {
        return foreign != null && foreign.kind() == JdbcTarget.Kind.SQLITE;
    }

    /** Opens a connection; a failure is a {@link io.pgferry.core.PgFerryException} naming the target. */
    Connection connect() {
        return postgres != null ? Connections.open(postgres) : foreign.connect();
    }

    /** The dialect, learnt on the first connection (a MariaDB server behind a mysql:// URI). */
    synchronized Dialect dialect(Connection c) {
        if (dialect == null) {
            dialect = postgres != null ? new PostgresDialect() : foreign.dialect(c, policy);
        }
        return dialect;
    }

    /**
     * The destination table of source table {@code schema.table}, with the schema map applied as {@code pgferry sync}
     * applies it; throws {@link IllegalArgumentException} for a name the destination cannot hold.
     */
    TargetTable table(Dialect d, String schema, String table, Map<String, String> schemaMap) {
        String mapped = schemaMap.get(schema);
        if (d instanceof ForeignDialect f) {
            return f.target(schema, table, mapped);
        }
        return new TargetTable(mapped != null ? mapped : schema, table);
    }

    @Override
    public String toString() {
        return postgres != null ? postgres.toString() : foreign.description();
    }

    static boolean closeQuietly(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
