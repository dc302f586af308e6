package io.pgferry.engine;

import io.pgferry.engine.config.SyncConfig;
import io.pgferry.jdbc.foreign.JdbcTargetUri;
import io.pgferry.testkit.MariaDbServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real destination for a sync test: a fresh MariaDB database or a fresh SQLite file. */
abstract class Destination implements AutoCloseable {
    /** The target URI a user would write. */
    abstract String uri();

    abstract Connection connect() throws SQLException;

    @Override
    public abstract void close() throws java.io.IOException, SQLException;

    /** How the destination names source table public.{@code table}. */
    abstract String qualified(String table);

    abstract String quote(String identifier);

    /** The rows of {@code sql} as strings, column values joined by '|', NULL as "null". */
    List<String> rows(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder s = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    s.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                out.add(s.toString());
            }
        } catch (SQLException e) {
            if (e.getMessage().contains("doesn't exist") || e.getMessage().contains("no such table")) {
                return List.of();
            }
            throw e;
        }
        return out;
    }

    void execute(String... sql) throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    static Destination mariadb() throws SQLException {
        return new MariaDb(MariaDbServer.shared());
    }

    static Destination sqlite() throws Exception {
        return new Sqlite(Files.createTempDirectory("pgferry-sqlite").resolve("target.db"));
    }

    static final class MariaDb extends Destination {
        private final MariaDbServer server;
        private final String database;

        MariaDb(MariaDbServer server) throws SQLException {
            this.server = server;
            this.database = server.createDatabase();
        }

        @Override
        String uri() {
            return "mariadb://" + server.user() + ":" + URLEncoder.encode(server.password(), StandardCharsets.UTF_8)
                    + "@" + server.host() + ":" + server.port() + "/" + database;
        }

        String database() {
            return database;
        }

        @Override
        Connection connect() throws SQLException {
            return server.connect(database);
        }

        @Override
        String qualified(String table) {
            return quote(database) + "." + quote(table);
        }

        @Override
        String quote(String identifier) {
            return "`" + identifier.replace("`", "``") + "`";
        }

        @Override
        public void close() throws SQLException {
            server.drop(database);
        }

        @Override
        public String toString() {
            return "MariaDB";
        }
    }

    static final class Sqlite extends Destination {
        private final Path file;

        Sqlite(Path file) {
            this.file = file;
        }

        @Override
        String uri() {
            return "sqlite:" + file;
        }

        @Override
        Connection connect() throws SQLException {
            return DriverManager.getConnection("jdbc:sqlite:" + file);
        }

        @Override
        String qualified(String table) {
            return quote(table);
        }

        @Override
        String quote(String identifier) {
            return "\"" + identifier.replace("\"", "\"\"") + "\"";
        }

        @Override
        public void close() throws java.io.IOException {
            for (String suffix : List.of("", "-wal", "-shm")) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
            Files.deleteIfExists(file.getParent());
        }

        @Override
        public String toString() {
            return "SQLite";
        }
    }

    static SyncConfig.Builder config(io.pgferry.testkit.TestDatabase source, Destination d) {
        return SyncConfig.builder()
                .source(source.uri())
                .target(JdbcTargetUri.parse(d.uri(), Map.of()))
                .workers(2);
    }
}
