package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.Rows;
import io.pgferry.testkit.TestDatabase;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Row-by-row comparison of tables in two databases, and waiting for them to match. */
final class Databases {
    private Databases() {}

    /** The rows of {@code sql} in UTC, column values joined by '|', NULL as "null". */
    static List<String> query(TestDatabase db, String sql) throws SQLException {
        return db.withConnection(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("SET TimeZone = 'UTC'");
            }
            return Rows.of(c, sql);
        });
    }

    /** Every row of {@code table} as PostgreSQL's text of the row, sorted. */
    static List<String> rows(TestDatabase db, String table) throws SQLException {
        return db.withConnection(c -> {
            List<String> out = new ArrayList<>();
            try (Statement st = c.createStatement()) {
                st.execute("SET TimeZone = 'UTC'");
                try (ResultSet rs = st.executeQuery("SELECT t::text FROM " + table + " t ORDER BY 1")) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /** Waits until every table has the same rows on both sides, then asserts it (showing the difference). */
    static void awaitSame(TestDatabase source, TestDatabase target, Duration timeout, String... tables)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String t : tables) {
            awaitSame(source, t, target, t, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    /**
     * Waits until {@code targetTable} at the target has the rows of {@code sourceTable} at the source, then asserts it
     * (showing the difference); either may be a parenthesised query.
     */
    static void awaitSame(
            TestDatabase source, String sourceTable, TestDatabase target, String targetTable, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (rows(source, sourceTable).equals(rowsOrEmpty(target, targetTable))) {
                return;
            }
            Thread.sleep(50); // polling interval of the wait, not a synchronisation
        }
        List<String> expected = rows(source, sourceTable);
        List<String> actual = rowsOrEmpty(target, targetTable);
        // The rows that differ, not whole tables: AssertJ prints at most 1,000 elements of a list.
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(actual);
        List<String> extra = new ArrayList<>(actual);
        extra.removeAll(expected);
        assertThat(actual)
                .as(
                        "target rows of %s: %d missing %s, %d not at the source %s",
                        targetTable, missing.size(), head(missing), extra.size(), head(extra))
                .isEqualTo(expected);
    }

    private static List<String> head(List<String> rows) {
        return rows.subList(0, Math.min(rows.size(), 20));
    }

    /** Waits until every table of the sync at {@code target} is in state streaming: the copy is over. */
    static void awaitStreaming(TestDatabase target, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String q = "SELECT count(*) FILTER (WHERE state <> 'streaming') + (count(*) = 0)::int FROM"
                + " pgferry.table_state";
        while (System.nanoTime() < deadline) {
            try {
                if (target.queryLong(q) == 0) {
                    return;
                }
            } catch (SQLException e) {
                if (!"42P01".equals(e.getSQLState())) {
                    throw e;
                }
            }
            Thread.sleep(50); // polling interval of the wait, not a synchronisation
        }
        throw new AssertionError("the sync's tables did not reach state streaming within " + timeout);
    }

    private static List<String> rowsOrEmpty(TestDatabase db, String table) throws SQLException {
        try {
            return rows(db, table);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return List.of();
            }
            throw e;
        }
    }
}
