package io.pgferry.jdbc.foreign;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.testkit.MariaDbServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The MySQL/MariaDB dialect's DDL at a real MariaDB server. */
@Tag("mariadb")
class MySqlDialectTest {
    private static final int INT4 = 23;
    private static final int TEXT = 25;

    /**
     * Regression (issue 7): adding a column the table already has must leave it and fill its NULLs, as the dialect
     * contract says; MySQL has no ADD COLUMN IF NOT EXISTS, and the ALTER TABLE failed with "Duplicate column name". A
     * batch delivered again after a failure gives the sink a column it added before.
     */
    @Test
    void addingAColumnTheTableHasFillsItsNulls() throws Exception {
        MariaDbServer maria = MariaDbServer.shared();
        String database = maria.createDatabase();
        try (Connection c = maria.connect(database)) {
            MySqlDialect dialect = new MySqlDialect(database, Unrepresentable.ERROR, true, false);
            TargetTable table = new TargetTable(database, "t");
            Column label = new Column("label", TEXT, -1, false);
            Relation relation = new Relation(
                    1, "public", "t", ReplicaIdentity.DEFAULT, List.of(new Column("id", INT4, -1, true), label));
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id int PRIMARY KEY)");
                st.execute("INSERT INTO t VALUES (1), (2)");
            }
            dialect.addColumn(c, table, relation, label, "it's");
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO t VALUES (3, NULL)");
            }
            dialect.addColumn(c, table, relation, label, "again");
            dialect.addColumn(c, table, label);
            assertThat(rows(c)).containsExactly("1|it's", "2|it's", "3|again");
        } finally {
            maria.drop(database);
        }
    }

    private static List<String> rows(Connection c) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, label FROM t ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getInt(1) + "|" + rs.getString(2));
            }
        }
        return out;
    }
}
