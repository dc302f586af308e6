package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.jdbc.foreign.MySqlDialect;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * MariaDB commits DDL at once, so a column added while streaming is added outside the batch, which is then applied
 * again. Had the existing rows got the column's value from an UPDATE after the ALTER TABLE, a crash between the two
 * would have left them NULL for good: the restarted sync knows the column from the source and adds nothing. The
 * ALTER TABLE carries the value itself; here the batch after it is lost (rolled back, as by a crash), and the sync
 * started again still leaves every row as at the source. Issues #5 and #7.
 */
@PgTest
@Tag("stream")
@Tag("mariadb")
class AddedColumnCrashTest {

    @Test
    void theRowsGetTheAddedColumnsValueInTheAlterTableItself(TestDatabase source) throws Exception {
        source.execute(
                "CREATE TABLE docs (id int PRIMARY KEY, v text)",
                "INSERT INTO docs SELECT i, 'v' || i FROM generate_series(1, 50) i");
        try (Destination.MariaDb d = (Destination.MariaDb) Destination.mariadb()) {
            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            source.execute(
                    "ALTER TABLE docs ADD COLUMN flag boolean DEFAULT true, ADD COLUMN label text DEFAULT 'it''s'",
                    "UPDATE docs SET v = 'changed' WHERE id = 1");

            // What the sink does at the first change after the ALTER, then the crash before the batch commits.
            Relation docs = new Relation(
                    1,
                    "public",
                    "docs",
                    ReplicaIdentity.DEFAULT,
                    List.of(
                            new Column("id", 23, -1, true),
                            new Column("v", 25, -1, false),
                            new Column("flag", 16, -1, false),
                            new Column("label", 25, -1, false)));
            MySqlDialect dialect = new MySqlDialect(d.database(), Unrepresentable.ERROR, true, false);
            TargetTable table = new TargetTable(d.database(), "docs");
            try (Connection c = d.connect()) {
                c.setAutoCommit(false);
                dialect.addColumn(c, table, docs, docs.columns().get(2), "t");
                dialect.addColumn(c, table, docs, docs.columns().get(3), "it's");
                c.rollback();
            }

            new SyncEngine(Destination.config(source, d).untilCaughtUp(true).build()).run();
            assertThat(d.rows("SELECT count(*), sum(flag), count(label), min(label), max(label) FROM "
                            + d.qualified("docs")))
                    .containsExactly("50|50|50|it's|it's");
            assertThat(d.rows("SELECT v FROM " + d.qualified("docs") + " WHERE id = 1"))
                    .containsExactly("changed");
            // MariaDB shows a nullable column without a default as the text NULL.
            assertThat(d.rows("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + d.database()
                            + "' AND table_name = 'docs' AND column_default IS NOT NULL"
                            + " AND column_default <> 'NULL'"))
                    .as("the target keeps no default of its own")
                    .containsExactly("0");
        }
    }
}
