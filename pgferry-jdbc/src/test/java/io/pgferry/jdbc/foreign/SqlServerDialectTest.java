package io.pgferry.jdbc.foreign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.jdbc.UnrepresentableValueException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SQL Server's statements and type mapping (issue 7). CI has no SQL Server: these check the SQL text; {@code
 * SqlServerSyncTest} in pgferry-engine runs against a real server when {@code PGFERRY_TEST_SQLSERVER_URL} is set.
 */
class SqlServerDialectTest {
    private final SqlServerDialect d = new SqlServerDialect(Unrepresentable.ERROR);
    private final TargetTable t = new TargetTable("dbo", "Or]ders");
    private final Column id = new Column("id", BuiltinTypes.INT8, -1, true);
    private final Column note = new Column("note", BuiltinTypes.TEXT, -1, false);

    /**
     * Issue 7: a copy's marks ({@code copy_range}) are created with the catalog, keyed within the 900 bytes of a
     * clustered index (NVARCHAR takes 2 bytes a character), so that a copy into SQL Server can go on after a lost
     * session.
     */
    @Test
    void theCatalogKeepsCopyMarksKeyedWithinTheIndexLimit() {
        String ddl = d.catalogDdl("pgferry").stream()
                .filter(s -> s.contains("[pgferry].[copy_range]"))
                .findFirst()
                .orElseThrow();
        assertThat(ddl)
                .startsWith("IF OBJECT_ID(N'[pgferry].[copy_range]') IS NULL CREATE TABLE [pgferry].[copy_range] (")
                .contains("sync_name NVARCHAR(200) NOT NULL", "relation NVARCHAR(240) NOT NULL")
                .contains("from_block BIGINT NOT NULL", "rows_copied BIGINT NOT NULL")
                .endsWith("PRIMARY KEY (sync_name, relation, from_block))");
    }

    @Test
    void identifiersAreBracketedWithClosingBracketsDoubled() {
        assertThat(d.quote("se]lect Ü")).isEqualTo("[se]]lect Ü]");
        assertThat(d.qualified(t)).isEqualTo("[dbo].[Or]]ders]");
        assertThat(d.target("public", "x", null)).isEqualTo(new TargetTable("dbo", "x"));
        assertThat(d.target("sales", "x", null)).isEqualTo(new TargetTable("sales", "x"));
    }

    @Test
    void createTableMapsTypesLosslessly() {
        Column ts = new Column("at", BuiltinTypes.TIMESTAMPTZ, -1, false);
        Column n = new Column("n", BuiltinTypes.NUMERIC, ((38 << 16) | 10) + 4, false);
        Column big = new Column("big", BuiltinTypes.NUMERIC, -1, false);
        Column code = new Column("code", BuiltinTypes.TEXT, -1, true);
        assertThat(d.createTable(t, List.of(id, code, note, ts, n, big)))
                .isEqualTo("CREATE TABLE [dbo].[Or]]ders] ([id] BIGINT NOT NULL, [code] NVARCHAR(225) COLLATE"
                        + " Latin1_General_100_BIN2 NOT NULL,"
                        + " [note] NVARCHAR(MAX), [at] DATETIMEOFFSET(6), [n] DECIMAL(38,10), [big] NVARCHAR(MAX),"
                        + " PRIMARY KEY ([id], [code]))");
    }

    @Test
    void upsertIsAMergeHoldingTheKeyRange() {
        assertThat(d.mergeSql(t, List.of(id, note), List.of(id)))
                .isEqualTo("MERGE [dbo].[Or]]ders] WITH (HOLDLOCK) AS t USING (VALUES (?, ?)) AS s ([id], [note])"
                        + " ON t.[id] = s.[id] WHEN MATCHED THEN UPDATE SET t.[note] = s.[note]"
                        + " WHEN NOT MATCHED THEN INSERT ([id], [note]) VALUES (s.[id], s.[note]);");
    }

    @Test
    void oneRowMatchesAndTimestampsAreUtcOffsets() {
        assertThat(d.oneRow(t, null, "[a] IS NOT DISTINCT FROM ?"))
                .isEqualTo("DELETE TOP (1) FROM [dbo].[Or]]ders] WHERE [a] IS NOT DISTINCT FROM ?");
        // Issue 7: text compared by code point, so that 'a' and 'A' are two values, as in PostgreSQL.
        assertThat(d.matches(note)).isEqualTo("[note] COLLATE Latin1_General_100_BIN2 IS NOT DISTINCT FROM ?");
        assertThat(d.matches(id)).isEqualTo("[id] IS NOT DISTINCT FROM ?");
        Relation r = new Relation(
                1,
                "public",
                "t",
                ReplicaIdentity.DEFAULT,
                List.of(id, new Column("at", BuiltinTypes.TIMESTAMPTZ, -1, false)));
        assertThat(d.value(r, 1, "2024-02-29 12:00:00.5+02")).isEqualTo("2024-02-29 10:00:00.500000 +00:00");
    }

    /** Issue 7: a bytea key longer than the index allows reached the server instead of following the policy. */
    @Test
    void aByteaKeyLongerThanTheIndexAllowsFollowsThePolicy() {
        Relation r = new Relation(
                1,
                "public",
                "b",
                ReplicaIdentity.DEFAULT,
                List.of(new Column("k", BuiltinTypes.BYTEA, -1, true), note));
        String fits = "\\x" + "ab".repeat(900);
        String tooLong = "\\x" + "ab".repeat(901);
        assertThat((byte[]) d.value(r, 0, fits)).hasSize(900);
        assertThatThrownBy(() -> d.value(r, 0, tooLong))
                .isInstanceOf(UnrepresentableValueException.class)
                .hasMessageContaining("longer than 900 bytes");
        assertThat((byte[]) new SqlServerDialect(Unrepresentable.CLAMP).value(r, 0, tooLong))
                .hasSize(900);
    }

    /**
     * Issue 7: SQL Server compares strings padded with spaces whatever the collation, so the text keys 'a ' and 'a'
     * were one key there, and a change of one was applied to the other. Such a key follows the policy.
     */
    @Test
    void aTextKeyEndingInASpaceFollowsThePolicy() {
        Relation r = new Relation(
                1, "public", "s", ReplicaIdentity.DEFAULT, List.of(new Column("k", BuiltinTypes.TEXT, -1, true), note));
        assertThat(d.value(r, 0, " a")).isEqualTo(" a");
        assertThatThrownBy(() -> d.value(r, 0, "a "))
                .isInstanceOf(UnrepresentableValueException.class)
                .hasMessageContaining("ending in a space");
        assertThat(new SqlServerDialect(Unrepresentable.CLAMP).value(r, 0, "a "))
                .isEqualTo("a ");
        assertThat(d.value(r, 1, "a ")).isEqualTo("a ");
    }

    /** Issue 7: PostgreSQL's time 24:00:00 reached SQL Server, whose TIME ends before it, and failed there. */
    @Test
    void timeTwentyFourOClockFollowsThePolicy() {
        Relation r = new Relation(
                1, "public", "s", ReplicaIdentity.DEFAULT, List.of(id, new Column("at", BuiltinTypes.TIME, -1, false)));
        assertThat(d.value(r, 1, "23:59:59.999999")).isEqualTo("23:59:59.999999");
        assertThatThrownBy(() -> d.value(r, 1, "24:00:00"))
                .isInstanceOf(UnrepresentableValueException.class)
                .hasMessageContaining("24:00:00");
        assertThat(new SqlServerDialect(Unrepresentable.NULL).value(r, 1, "24:00:00"))
                .isNull();
        assertThat(new SqlServerDialect(Unrepresentable.CLAMP).value(r, 1, "24:00:00"))
                .isEqualTo("23:59:59.999999");
    }

    @Test
    void theCatalogSchemaIsDroppedOnlyWhenNothingIsLeftInIt() {
        assertThat(d.dropCatalogSchema("pg]ferry's"))
                .contains("IF SCHEMA_ID(N'pg]ferry''s') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sys.objects WHERE"
                        + " schema_id = SCHEMA_ID(N'pg]ferry''s')) EXEC(N'DROP SCHEMA [pg]]ferry''s]')");
    }

    @Test
    void sqlserverUrisInBothForms() {
        JdbcTarget a = JdbcTargetUri.parse("sqlserver://sa:pw@db:1433/shop?sslmode=trust", Map.of());
        assertThat(a.kind()).isEqualTo(JdbcTarget.Kind.SQLSERVER);
        assertThat(a.jdbcUrl()).isEqualTo("jdbc:sqlserver://db:1433");
        assertThat(a.properties())
                .containsEntry("databaseName", "shop")
                .containsEntry("encrypt", "true")
                .containsEntry("trustServerCertificate", "true");
        assertThat(a.toString()).doesNotContain("pw");
        JdbcTarget b = JdbcTargetUri.parse(
                "jdbc:sqlserver://db:1433;databaseName=shop;user=sa", Map.of(JdbcTargetUri.PASSWORD_VARIABLE, "x"));
        assertThat(b.database()).isEqualTo("shop");
        assertThat(b.properties()).containsEntry("password", "x");
    }
}
