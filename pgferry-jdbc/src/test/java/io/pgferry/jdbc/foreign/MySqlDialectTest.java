package io.pgferry.jdbc.foreign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.testkit.MariaDbServer;
import io.pgferry.testkit.Rows;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The MySQL/MariaDB dialect's DDL at a real MariaDB server. */
@Tag("mariadb")
class MySqlDialectTest {
    private static final int INT4 = 23;
    private static final int TEXT = 25;
    private static final String ROWS = "SELECT id, label FROM t ORDER BY id";

    /** One database at the shared MariaDB: a table t (id int PRIMARY KEY) holding {@code ids}, label to add. */
    @FunctionalInterface
    private interface TableTest {
        void run(Connection c, MySqlDialect dialect, TargetTable table, Relation relation, Column label)
                throws Exception;
    }

    private static void onTable(String ids, TableTest test) throws Exception {
        MariaDbServer maria = MariaDbServer.shared();
        String database = maria.createDatabase();
        try (Connection c = maria.connect(database)) {
            Column label = new Column("label", TEXT, -1, false);
            Relation relation = new Relation(
                    1, "public", "t", ReplicaIdentity.DEFAULT, List.of(new Column("id", INT4, -1, true), label));
            execute(c, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES " + ids);
            test.run(
                    c,
                    new MySqlDialect(database, Unrepresentable.ERROR, true, false),
                    new TargetTable(database, "t"),
                    relation,
                    label);
        } finally {
            maria.drop(database);
        }
    }

    /**
     * Regression (issue 7): adding a column the table already has must leave it and fill its NULLs, as the dialect
     * contract says; MySQL has no ADD COLUMN IF NOT EXISTS, and the ALTER TABLE failed with "Duplicate column name". A
     * batch delivered again after a failure gives the sink a column it added before.
     */
    @Test
    void addingAColumnTheTableHasFillsItsNulls() throws Exception {
        onTable("(1), (2)", (c, dialect, table, relation, label) -> {
            dialect.addColumn(c, table, relation, label, "it's");
            execute(c, "INSERT INTO t VALUES (3, NULL)");
            dialect.addColumn(c, table, relation, label, "again");
            dialect.addColumn(c, table, label);
            assertThat(Rows.of(c, ROWS)).containsExactly("1|it's", "2|it's", "3|again");
        });
    }

    /**
     * Regression (issue 10): with several writers of one table (the sink connector's tasks), a row that another writer
     * inserts after the column was added, in the older shape without it, read NULL where the source's row reads the
     * value the column was added with. The column now keeps that value as its default; a row written with the column
     * keeps its own value, a NULL too, and adding the column again fills nothing.
     */
    @Test
    void aColumnAddedForSeveralWritersKeepsTheExistingValueAsItsDefault() throws Exception {
        onTable("(1)", (c, dialect, table, relation, label) -> {
            dialect.addColumnIfAbsent(c, table, relation, label, "it's");
            execute(c, "INSERT INTO t (id) VALUES (2)", "INSERT INTO t (id, label) VALUES (3, NULL)");
            dialect.addColumnIfAbsent(c, table, relation, label, "again");
            assertThat(Rows.of(c, ROWS)).containsExactly("1|it's", "2|it's", "3|null");
        });
    }

    /**
     * Regression (issue 7's audit): a table whose columns are all its key was upserted with INSERT IGNORE, and IGNORE
     * also turns MariaDB's data errors into warnings, so a value too long for its column was cut and written. The
     * upsert leaves an existing row and refuses what it cannot store whole.
     */
    @Test
    void upsertingAKeyOnlyTableLeavesExistingRowsAndCutsNothing() throws Exception {
        inDatabase((c, database, dialect) -> {
            execute(
                    c,
                    "CREATE TABLE k (id int, code varchar(3), PRIMARY KEY (id, code))",
                    "INSERT INTO k VALUES (1, 'x')");
            List<Column> columns = List.of(new Column("id", INT4, -1, true), new Column("code", TEXT, -1, true));
            TargetTable k = new TargetTable(database, "k");
            dialect.upsertRows(c, k, columns, columns, List.of(new Object[] {1, "x"}, new Object[] {2, "y"}));
            assertThat(Rows.of(c, "SELECT id, code FROM k ORDER BY id")).containsExactly("1|x", "2|y");
            assertThatThrownBy(() ->
                            dialect.upsertRows(c, k, columns, columns, List.<Object[]>of(new Object[] {3, "long"})))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("too long");
            assertThat(Rows.of(c, "SELECT id, code FROM k ORDER BY id")).containsExactly("1|x", "2|y");
        });
    }

    /**
     * A table with a second unique index is upserted by deleting each row by its key, then inserting it: ON DUPLICATE
     * KEY UPDATE would fire on the other index and change (or silently keep) a different row. A row that would take
     * another row's unique value is refused, and that row stays. Issue #7.
     */
    @Test
    void upsertingATableWithASecondUniqueIndexNeverTouchesAnotherRow() throws Exception {
        inDatabase((c, database, dialect) -> {
            execute(
                    c,
                    "CREATE TABLE u (id int PRIMARY KEY, email varchar(20) NOT NULL UNIQUE)",
                    "INSERT INTO u VALUES (1, 'a'), (2, 'b')");
            List<Column> columns = List.of(new Column("id", INT4, -1, true), new Column("email", TEXT, -1, false));
            TargetTable u = new TargetTable(database, "u");
            dialect.upsertRows(
                    c, u, columns, columns.subList(0, 1), List.of(new Object[] {1, "c"}, new Object[] {3, "d"}));
            assertThat(Rows.of(c, "SELECT id, email FROM u ORDER BY id")).containsExactly("1|c", "2|b", "3|d");
            assertThatThrownBy(() -> dialect.upsertRows(
                            c, u, columns, columns.subList(0, 1), List.<Object[]>of(new Object[] {4, "b"})))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("Duplicate entry");
            assertThat(Rows.of(c, "SELECT id, email FROM u ORDER BY id")).containsExactly("1|c", "2|b", "3|d");
        });
    }

    /**
     * The chunked copy's replay upserts by the source's key, so an existing table needs a unique index on exactly
     * those columns (issue 7): a prefix index or one with another column does not do.
     */
    @Test
    void aUniqueKeyIsFoundOnExactlyTheKeyColumns() throws Exception {
        inDatabase((c, database, dialect) -> {
            execute(
                    c,
                    "CREATE TABLE pk (a INT, b VARCHAR(20), PRIMARY KEY (a, b))",
                    "CREATE TABLE uq (a INT NOT NULL, b VARCHAR(20), c INT, UNIQUE KEY u (b, a), KEY plain (c))",
                    "CREATE TABLE prefix (a VARCHAR(40) NOT NULL, UNIQUE KEY p (a(10)))",
                    "CREATE TABLE wider (a INT, c INT, UNIQUE KEY w (a, c))");
            assertThat(dialect.hasUniqueKey(c, new TargetTable(database, "pk"), List.of("b", "a")))
                    .isTrue();
            assertThat(dialect.hasUniqueKey(c, new TargetTable(database, "uq"), List.of("a", "b")))
                    .isTrue();
            assertThat(dialect.hasUniqueKey(c, new TargetTable(database, "uq"), List.of("c")))
                    .isFalse();
            assertThat(dialect.hasUniqueKey(c, new TargetTable(database, "prefix"), List.of("a")))
                    .isFalse();
            assertThat(dialect.hasUniqueKey(c, new TargetTable(database, "wider"), List.of("a")))
                    .isFalse();
        });
    }

    /** One database at the shared MariaDB, with the dialect for it, dropped afterwards. */
    @FunctionalInterface
    private interface DatabaseTest {
        void run(Connection c, String database, MySqlDialect dialect) throws Exception;
    }

    private static void inDatabase(DatabaseTest test) throws Exception {
        MariaDbServer maria = MariaDbServer.shared();
        String database = maria.createDatabase();
        try (Connection c = maria.connect(database)) {
            test.run(c, database, new MySqlDialect(database, Unrepresentable.ERROR, true, false));
        } finally {
            maria.drop(database);
        }
    }

    private static void execute(Connection c, String... sql) throws Exception {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }
}
