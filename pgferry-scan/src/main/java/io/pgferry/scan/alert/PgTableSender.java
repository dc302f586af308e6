package io.pgferry.scan.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.postgres.catalog.Identifiers;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Writes findings to a PostgreSQL table, one transaction per batch (up to 500 rows), creating the schema and table
 * when missing. The key is {@code jsonb}, the commit position {@code pg_lsn}, so the table answers questions such as
 * "which rows of public.customers hold card numbers" with plain SQL. The DSN holds a password: never logged.
 */
final class PgTableSender implements Sender {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Dsn dsn;
    private final String schema;
    private final String table;
    private Connection connection;

    PgTableSender(Dsn dsn, String schema, String table) {
        this.dsn = dsn;
        this.schema = schema;
        this.table = table;
    }

    @Override
    public int maxBatch() {
        return 500;
    }

    @Override
    public void send(List<String> findings) throws IOException {
        try {
            Connection c = connection();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Identifiers.qualified(schema, table)
                    + " (database, schema_name, table_name, column_name, path, rule, category, severity,"
                    + " description, sample, key, op, commit_lsn, commit_time, fingerprint)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?::pg_lsn, ?::timestamptz, ?)")) {
                for (String f : findings) {
                    JsonNode n = JSON.readTree(f);
                    int i = 1;
                    for (String field : List.of(
                            "database",
                            "schema",
                            "table",
                            "column",
                            "path",
                            "rule",
                            "category",
                            "severity",
                            "description",
                            "sample")) {
                        ps.setString(i++, n.hasNonNull(field) ? n.get(field).asText() : null);
                    }
                    ps.setString(i++, n.path("key").toString());
                    ps.setString(i++, n.path("op").asText());
                    ps.setString(i++, n.path("commit_lsn").asText());
                    ps.setString(
                            i++,
                            n.hasNonNull("commit_time") ? n.get("commit_time").asText() : null);
                    ps.setString(i, n.path("fingerprint").asText());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            close();
            throw new IOException("cannot write findings to " + schema + "." + table + ": " + sqlState(e), e);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            Connection c = Connections.open(dsn);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA IF NOT EXISTS " + Identifiers.quote(schema));
                st.execute("CREATE TABLE IF NOT EXISTS " + Identifiers.qualified(schema, table) + " ("
                        + "id bigserial PRIMARY KEY, found_at timestamptz NOT NULL DEFAULT now(),"
                        + " database text NOT NULL, schema_name text NOT NULL, table_name text NOT NULL,"
                        + " column_name text NOT NULL, path text, rule text NOT NULL, category text, severity text"
                        + " NOT NULL, description text, sample text NOT NULL, key jsonb NOT NULL, op text NOT NULL,"
                        + " commit_lsn pg_lsn NOT NULL, commit_time timestamptz, fingerprint text NOT NULL)");
            }
            c.setAutoCommit(false);
            connection = c;
        }
        return connection;
    }

    /** The SQLSTATE or exception class: a server message may quote a value of the batch. */
    private static String sqlState(Exception e) {
        return e instanceof SQLException s && s.getSQLState() != null
                ? "SQLSTATE " + s.getSQLState()
                : e.getClass().getSimpleName();
    }

    @Override
    public String describe(IOException failure) {
        return failure.getMessage();
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // A connection that failed is dropped; the next batch opens another.
            }
            connection = null;
        }
    }
}
