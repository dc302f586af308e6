package io.pgferry.jdbc.foreign;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.event.Column;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.jdbc.foreign.ForeignDialect.IndexDdl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The secondary indexes each dialect builds (issue 7): quoted names, MySQL's prefixes within InnoDB's 3,072 bytes, and
 * the columns a destination cannot index. Built on real MariaDB and SQLite by {@code ForeignIndexesTest} in
 * pgferry-engine.
 */
class IndexDdlTest {
    private static final Column ID = new Column("id", BuiltinTypes.INT8, -1, true);
    private static final Column NOTE = new Column("no`te", BuiltinTypes.TEXT, -1, false);
    private static final Column BODY = new Column("body", BuiltinTypes.TEXT, -1, false);
    private static final Column N = new Column("n", BuiltinTypes.INT8, -1, false);
    private static final Column DOC = new Column("doc", BuiltinTypes.JSONB, -1, false);
    private static final Column DATA = new Column("data", BuiltinTypes.BYTEA, -1, false);
    private static final Column TOKEN = new Column("token", BuiltinTypes.UUID, -1, false);

    private final MySqlDialect mysql = new MySqlDialect("d`b", Unrepresentable.ERROR, false, false);
    private final TargetTable myTable = new TargetTable("d`b", "Or`ders");

    private String mysql(String name, List<Column> columns, int keyColumns) {
        IndexDdl ddl = mysql.createIndex(myTable, name, columns, keyColumns);
        assertThat(ddl.impossible()).isNull();
        return ddl.sql();
    }

    @Test
    void mySqlIndexesLongTextByAPrefixOfTheBytesTheOtherColumnsLeave() {
        assertThat(mysql("i`x", List.of(NOTE), 1))
                .isEqualTo("CREATE INDEX `i``x` ON `d``b`.`Or``ders` (`no``te`(768))");
        // A bigint takes 8 bytes; the two text columns share the 3,064 left.
        assertThat(mysql("ix", List.of(NOTE, N, BODY), 1))
                .isEqualTo("CREATE INDEX `ix` ON `d``b`.`Or``ders` (`no``te`(383), `n`, `body`(383))");
        // A uuid is CHAR(36), 144 bytes in utf8mb4; bytes go by bytes.
        assertThat(mysql("ix", List.of(TOKEN, DATA), 1))
                .isEqualTo("CREATE INDEX `ix` ON `d``b`.`Or``ders` (`token`, `data`(2928))");
        assertThat(mysql("ix", List.of(N, ID), 1)).isEqualTo("CREATE INDEX `ix` ON `d``b`.`Or``ders` (`n`, `id`)");
    }

    @Test
    void mySqlKeepsAKeyColumnWholeWhenItFitsItsShare() {
        // Two text key columns are VARCHAR(384) each: alone in an index, the whole column fits; beside a LONGTEXT
        // column each gets 384 characters, which is the whole key column too.
        Column a = new Column("a", BuiltinTypes.TEXT, -1, true);
        assertThat(mysql("ix", List.of(a), 2)).isEqualTo("CREATE INDEX `ix` ON `d``b`.`Or``ders` (`a`)");
        assertThat(mysql("ix", List.of(a, NOTE), 2))
                .isEqualTo("CREATE INDEX `ix` ON `d``b`.`Or``ders` (`a`, `no``te`(384))");
    }

    @Test
    void mySqlRefusesJsonTheNamePrimaryAndMoreThanSixteenColumns() {
        assertThat(mysql.createIndex(myTable, "ix", List.of(N, DOC), 1).impossible())
                .isEqualTo("column doc is JSON, which MySQL does not index");
        assertThat(mysql.createIndex(myTable, "Primary", List.of(N), 1).impossible())
                .contains("PRIMARY");
        List<Column> many = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            many.add(new Column("c" + i, BuiltinTypes.INT4, -1, false));
        }
        assertThat(mysql.createIndex(myTable, "ix", many, 1).impossible()).contains("17 columns");
        many.remove(16);
        assertThat(mysql.createIndex(myTable, "ix", many, 1).sql()).isNotNull();
    }

    @Test
    void sqliteNamesTheIndexAfterItsTableInTheTablesSchema() {
        SqliteDialect lite = new SqliteDialect(Unrepresentable.ERROR);
        TargetTable t = new TargetTable("main", "sales_Or\"ders");
        String name = lite.indexName(t, "by \"note\"");
        assertThat(name).isEqualTo("sales_Or\"ders_by \"note\"");
        assertThat(lite.createIndex(t, name, List.of(NOTE, DOC), 1).sql())
                .isEqualTo("CREATE INDEX \"main\".\"sales_Or\"\"ders_by \"\"note\"\"\" ON \"sales_Or\"\"ders\""
                        + " (\"no`te\", \"doc\")");
    }

    @Test
    void sqlServerIndexesNeitherMaxColumnsNorMoreThanThirtyTwo() {
        SqlServerDialect ss = new SqlServerDialect(Unrepresentable.ERROR);
        TargetTable t = new TargetTable("dbo", "Or]ders");
        assertThat(ss.createIndex(t, "i]x", List.of(N, TOKEN), 1).sql())
                .isEqualTo("CREATE INDEX [i]]x] ON [dbo].[Or]]ders] ([n], [token])");
        assertThat(ss.createIndex(t, "ix", List.of(N, NOTE), 1).impossible())
                .isEqualTo("column no`te is NVARCHAR(MAX), which SQL Server does not index");
        assertThat(ss.createIndex(t, "ix", List.of(DATA), 1).impossible()).contains("VARBINARY(MAX)");
        assertThat(ss.indexName(t, "ix")).isEqualTo("ix");
    }
}
