package io.pgferry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.Rows;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The PostgreSQL dialect's added columns at a real server. */
@PgTest
class PostgresDialectColumnsTest {
    private static final int INT4 = 23;
    private static final int TEXT = 25;

    private final PostgresDialect dialect = new PostgresDialect();
    private final TargetTable table = new TargetTable("public", "t");
    private final Column label = new Column("label", TEXT, -1, false);
    private final Relation relation =
            new Relation(1, "public", "t", ReplicaIdentity.DEFAULT, List.of(new Column("id", INT4, -1, true), label));

    /** One writer: the existing rows get the value, the target keeps no default, a second add fills the NULLs. */
    @Test
    void aColumnAddedForTheOneWriterKeepsNoDefault(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        try (Connection c = db.connect()) {
            dialect.addColumn(c, table, relation, label, "it's");
            execute(c, "INSERT INTO t (id) VALUES (2)");
            assertThat(rows(c)).containsExactly("1|it's", "2|null");
            dialect.addColumn(c, table, relation, label, "again");
            assertThat(rows(c)).containsExactly("1|it's", "2|again");
        }
    }

    /**
     * Regression (issue 10): with several writers of one table (the sink connector's tasks), a row that another writer
     * inserts after the column was added, in the older shape without it, read NULL where the source's row reads the
     * value the column was added with. The column now keeps that value as its default; a row written with the column
     * keeps its own value, a NULL too, and adding the column again fills nothing.
     */
    @Test
    void aColumnAddedForSeveralWritersKeepsTheExistingValueAsItsDefault(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        try (Connection c = db.connect()) {
            dialect.addColumnIfAbsent(c, table, relation, label, "it's \\ here");
            execute(c, "INSERT INTO t (id) VALUES (2)", "INSERT INTO t (id, label) VALUES (3, NULL)");
            dialect.addColumnIfAbsent(c, table, relation, label, "again");
            assertThat(rows(c)).containsExactly("1|it's \\ here", "2|it's \\ here", "3|null");
        }
    }

    /**
     * Regression (issue 10): a writer whose connection had read the table's columns, and found a column already added
     * by another writer (the sink connector's other task), wrote its next rows from the columns it had read, and
     * failed with "column label of public.t is missing at the target". It reads them again, on both ways of adding.
     */
    @Test
    void aColumnAnotherWriterAddedIsWrittenByThisOne(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Column note = new Column("note", TEXT, -1, false);
        List<Column> id = List.of(relation.columns().get(0));
        List<Column> withNote = List.of(relation.columns().get(0), label, note);
        Relation noted = new Relation(1, "public", "t", ReplicaIdentity.DEFAULT, withNote);
        try (Connection first = db.connect();
                Connection second = db.connect()) {
            dialect.upsertRows(first, table, id, id, List.<Object[]>of(new Object[] {"1"}));
            dialect.upsertRows(second, table, id, id, List.<Object[]>of(new Object[] {"2"}));
            dialect.addColumnIfAbsent(first, table, relation, label, null);
            dialect.addColumnIfAbsent(second, table, relation, label, null);
            dialect.upsertRows(second, table, relation.columns(), id, List.<Object[]>of(new Object[] {"3", "l"}));
            dialect.upsertRows(first, table, relation.columns(), id, List.<Object[]>of(new Object[] {"4", "l"}));

            dialect.addColumn(second, table, noted, note, null);
            dialect.addColumn(first, table, noted, note, null);
            dialect.upsertRows(first, table, withNote, id, List.<Object[]>of(new Object[] {"5", "l", "n"}));
            assertThat(Rows.of(first, "SELECT id, label, note FROM t ORDER BY id"))
                    .containsExactly("1|null|null", "2|null|null", "3|l|null", "4|l|null", "5|l|n");
        }
    }

    private static void execute(Connection c, String... sql) throws Exception {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private static List<String> rows(Connection c) throws Exception {
        return Rows.of(c, "SELECT id, label FROM t ORDER BY id");
    }
}
