package io.pgferry.jdbc.foreign;

import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.Unrepresentable;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;

/**
 * A destination database that is not PostgreSQL, as a target URI names it ({@link JdbcTargetUri}): how to connect,
 * and which dialect applies. {@link #toString()} and {@link #description()} never include the password.
 *
 * @param kind the product family
 * @param jdbcUrl the driver URL, without credentials
 * @param database the MySQL or SQL Server database the URI names; null for SQLite
 * @param synchronous SQLite's synchronous setting ({@code FULL} or {@code NORMAL}); null for MySQL
 */
public record JdbcTarget(
        Kind kind, String jdbcUrl, Properties properties, String database, String synchronous, String description) {

    /** The families of destinations reached over JDBC other than PostgreSQL. */
    public enum Kind {
        MYSQL,
        MARIADB,
        SQLITE,
        SQLSERVER;

        public String scheme() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public JdbcTarget {
        Properties copy = new Properties();
        copy.putAll(properties);
        properties = copy;
    }

    @Override
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    /** Opens a connection; a failure says where, never with the password. */
    public Connection connect() {
        return connect(false);
    }

    /** The driver properties of a connection, for the initial copy's bulk loads when {@code bulk}. */
    Properties connectionProperties(boolean bulk) {
        return connectionProperties(bulk, false);
    }

    /**
     * As above; {@code durable} keeps a bulk connection's commits as durable as the apply's, for a copy that resumes
     * from what it committed.
     */
    Properties connectionProperties(boolean bulk, boolean durable) {
        Properties p = properties;
        if (!bulk && p.containsKey("allowLocalInfile")) {
            p = properties();
            p.setProperty("allowLocalInfile", "false");
        }
        if (kind == Kind.SQLSERVER && bulk) {
            // mssql-jdbc then sends batched INSERTs through SQL Server's bulk-copy API, whose defaults differ
            // from an INSERT's: constraints unchecked, NULLs replaced by column defaults, identity values
            // generated anew. Each is set to keep the INSERT's meaning.
            p = properties();
            p.setProperty("useBulkCopyForBatchInsert", "true");
            p.setProperty("bulkCopyForBatchInsertCheckConstraints", "true");
            p.setProperty("bulkCopyForBatchInsertKeepNulls", "true");
            p.setProperty("bulkCopyForBatchInsertKeepIdentity", "true");
        }
        if (kind == Kind.SQLITE) {
            // A snapshot copy's own commits need not be durable: an interrupted copy starts over, and the commit
            // that records its end is made with the configured setting, which flushes the WAL written before it. A
            // chunked copy resumes from its commits: they are durable.
            p = properties();
            p.setProperty("synchronous", bulk && !durable ? "OFF" : synchronous);
        }
        return p;
    }

    /**
     * Opens a connection, for the initial copy's bulk loads when {@code bulk} (MariaDB Connector/J then allows LOAD
     * DATA LOCAL INFILE, if the URI does), else with it off: the driver pipelines batches only without it.
     */
    public Connection connect(boolean bulk) {
        return open(connectionProperties(bulk));
    }

    /**
     * Opens a connection for the bulk loads of a copy that resumes from what it committed (a chunked copy): as {@code
     * connect(true)}, with commits as durable as the apply's.
     */
    public Connection connectResumableCopy() {
        return open(connectionProperties(true, true));
    }

    private Connection open(Properties p) {
        try {
            return DriverManager.getConnection(jdbcUrl, p);
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not connect to " + description);
        }
    }

    /**
     * The dialect for this destination; for MySQL URIs, reads the server's product on {@code c} (a MariaDB server
     * behind a {@code mysql://} URI gets MariaDB's collation names).
     */
    public ForeignDialect dialect(Connection c, Unrepresentable policy) {
        if (kind == Kind.SQLITE) {
            return new SqliteDialect(policy);
        }
        if (kind == Kind.SQLSERVER) {
            return new SqlServerDialect(policy);
        }
        try {
            DatabaseMetaData md = c.getMetaData();
            boolean mariadb = md.getDatabaseProductVersion()
                            .toLowerCase(Locale.ROOT)
                            .contains("mariadb")
                    || md.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("mariadb");
            return new MySqlDialect(
                    database, policy, mariadb, "true".equals(properties.getProperty("allowLocalInfile")));
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not read the server version of " + description);
        }
    }

    @Override
    public String toString() {
        return description;
    }

    static PgFerryException bad(String problem, String fix) {
        return PgFerryException.fatal(problem, fix);
    }
}
