package io.pgferry.cli.stream;

import io.pgferry.core.Lsn;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/** The demo's schema and workload: a few customers, orders placed, paid, shipped and cancelled. */
final class DemoWorkload {
    private static final String[] STATUSES = {"paid", "shipped"};

    private DemoWorkload() {}

    static void createSchema(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA shop");
            st.execute("CREATE TABLE shop.customers (id serial PRIMARY KEY, name text NOT NULL, email text,"
                    + " tags text[], created_at timestamptz NOT NULL DEFAULT now())");
            st.execute("CREATE TABLE shop.orders (id bigserial PRIMARY KEY,"
                    + " customer_id int NOT NULL REFERENCES shop.customers, amount numeric(10,2) NOT NULL,"
                    + " status text NOT NULL DEFAULT 'new', details jsonb)");
            st.execute("INSERT INTO shop.customers (name, email, tags) VALUES"
                    + " ('Ada', 'ada@example.com', '{vip}'), ('Grace', 'grace@example.com', '{}'),"
                    + " ('Linus', NULL, '{beta,\"early adopter\"}')");
        }
    }

    /** Runs the workload; returns the WAL position after its last commit. */
    static Lsn run(Connection c, int orders) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement order = c.prepareStatement(
                        "INSERT INTO shop.orders (customer_id, amount, details) VALUES (?, ?, ?::jsonb)");
                PreparedStatement status = c.prepareStatement("UPDATE shop.orders SET status = ? WHERE id = ?");
                Statement st = c.createStatement()) {
            for (int i = 1; i <= orders; i++) {
                order.setInt(1, 1 + i % 3);
                order.setBigDecimal(2, BigDecimal.valueOf(1999 + i * 250L, 2));
                order.setString(3, "{\"items\": " + (1 + i % 4) + ", \"gift\": " + (i % 5 == 0) + "}");
                order.executeUpdate();
                if (i > 1) {
                    status.setString(1, STATUSES[i % 2]);
                    status.setLong(2, i - 1);
                    status.executeUpdate();
                }
                c.commit();
            }
            st.execute("INSERT INTO shop.customers (name, email) VALUES ('Edsger', 'ewd@example.com')");
            st.execute("UPDATE shop.customers SET email = 'linus@example.org' WHERE name = 'Linus'");
            c.commit();
            st.execute("DELETE FROM shop.orders WHERE id = 1");
            st.execute("SELECT pg_logical_emit_message(true, 'demo', 'order 1 cancelled')");
            c.commit();
        } finally {
            c.setAutoCommit(true);
        }
        return DemoCommand.currentLsn(c);
    }
}
