package io.pgferry.jdbc.foreign;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unique keys SQLite reports for the chunked copy's check of an existing table (issue 7), on a real file: a rowid
 * table's INTEGER PRIMARY KEY has no index of its own, and a partial unique index does not serve as a key.
 */
class SqliteDialectKeysTest {
    @TempDir
    Path dir;

    @Test
    void aUniqueKeyIsFoundOnExactlyTheKeyColumns() throws Exception {
        SqliteDialect dialect = new SqliteDialect(Unrepresentable.ERROR);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("k.db"));
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE rowid_key (id INTEGER PRIMARY KEY, v TEXT)");
            st.execute("CREATE TABLE pair (a INTEGER, b TEXT, PRIMARY KEY (a, b)) STRICT");
            st.execute("CREATE TABLE indexed (a INTEGER, b TEXT, c INTEGER)");
            st.execute("CREATE UNIQUE INDEX ab ON indexed (b, a)");
            st.execute("CREATE UNIQUE INDEX partial_c ON indexed (c) WHERE c > 0");
            st.execute("CREATE TABLE \"Quoted \"\"t\"\"\" (\"ID\" INTEGER, UNIQUE (\"ID\"))");
            assertThat(dialect.hasUniqueKey(c, new TargetTable("main", "rowid_key"), List.of("id")))
                    .isTrue();
            assertThat(dialect.hasUniqueKey(c, new TargetTable("main", "pair"), List.of("b", "a")))
                    .isTrue();
            assertThat(dialect.hasUniqueKey(c, new TargetTable("main", "pair"), List.of("a")))
                    .isFalse();
            assertThat(dialect.hasUniqueKey(c, new TargetTable("main", "indexed"), List.of("a", "b")))
                    .isTrue();
            assertThat(dialect.hasUniqueKey(c, new TargetTable("main", "indexed"), List.of("c")))
                    .isFalse();
            assertThat(dialect.hasUniqueKey(c, new TargetTable("main", "rowid_key"), List.of("v")))
                    .isFalse();
            assertThat(dialect.hasUniqueKey(c, new TargetTable("main", "Quoted \"t\""), List.of("ID")))
                    .isTrue();
        }
    }
}
