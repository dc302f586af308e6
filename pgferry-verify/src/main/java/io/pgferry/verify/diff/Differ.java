package io.pgferry.verify.diff;

import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.verify.guard.HashSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code diff}: compares tables of any two PostgreSQL databases, replicated or not, with nothing installed on
 * either. Each table is bisected over its primary key ({@link TableDiffer}): counts and canonical hashes of key
 * ranges are computed in the databases, and only differing ranges are descended into, down to the rows. Any key type;
 * both sides need the same primary key columns, the same column names and the same key collations. Reads only.
 */
public final class Differ {
    private Differ() {}

    public static DiffReport run(DiffOptions options) {
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pgferry-diff-target");
            t.setDaemon(true);
            return t;
        });
        try (Connection source = open(options.source());
                Connection target = open(options.target())) {
            Sides sides = new Sides(source, target, pool);
            List<TableName> tables = options.tables().isEmpty() ? tablesOf(source) : options.tables();
            List<DiffReport.TableDiff> out = new ArrayList<>();
            for (TableName t : tables) {
                out.add(diff(sides, source, target, t, options));
            }
            return new DiffReport(out);
        } catch (SQLException e) {
            throw Connections.classify(e, options.target());
        } finally {
            pool.shutdownNow();
        }
    }

    private static DiffReport.TableDiff diff(
            Sides sides, Connection source, Connection target, TableName t, DiffOptions options) throws SQLException {
        KeySpace a = KeySpace.of(source, t.schema(), t.name());
        KeySpace b = KeySpace.of(target, t.schema(), t.name());
        List<String> problems = new ArrayList<>();
        if (a == null || b == null) {
            problems.add((a == null ? "on the source" : "on the target")
                    + ": the table does not exist or has no primary key; diff needs a primary key on both sides");
        } else if (!a.key().equals(b.key())) {
            problems.add(
                    "the primary keys differ (source " + a.key() + ", target " + b.key() + "); give both the same key");
        } else if (!Objects.equals(a.keyCollations(), b.keyCollations())) {
            problems.add("the key columns' collations differ (source " + a.keyCollations() + ", target "
                    + b.keyCollations() + "), so the two sides order keys differently; give them the same collation");
        } else if (!a.columns().equals(b.columns())) {
            problems.add("the columns differ (source " + a.columns() + ", target " + b.columns()
                    + "); make both tables have the same columns");
        }
        if (!problems.isEmpty()) {
            return new DiffReport.TableDiff(t.schema(), t.name(), 0, 0, List.of(), false, 0, problems);
        }
        return new TableDiffer(sides, a, options).run(t.schema(), t.name());
    }

    /** The source's tables with a primary key, outside system schemas and pgferry's own. */
    private static List<TableName> tablesOf(Connection c) throws SQLException {
        List<TableName> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT n.nspname, k.relname FROM pg_catalog.pg_class k"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace"
                        + " WHERE k.relkind IN ('r', 'p') AND NOT k.relispartition"
                        + " AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'syncguard', 'pgferry')"
                        + " AND n.nspname NOT LIKE 'pg\\_%'"
                        + " AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = k.oid AND i.indisprimary)"
                        + " ORDER BY 1, 2");
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.add(new TableName(rs.getString(1), rs.getString(2)));
            }
        }
        return out;
    }

    private static Connection open(Dsn dsn) throws SQLException {
        Connection c = Connections.open(dsn);
        try {
            HashSettings.pin(c);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }
}
