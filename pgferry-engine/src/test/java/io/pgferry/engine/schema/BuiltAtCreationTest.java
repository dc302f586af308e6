package io.pgferry.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.SyncEngine;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.PostgresServer;
import io.pgferry.testkit.Rows;
import io.pgferry.testkit.TestDatabase;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 5: a start of thousands of small tables built each key, index and sequence twice, once in the rehearsal at
 * creation and once after the copy, the rehearsal alone some 20 s of a 45 s start of 3,000 tables. A copy from one
 * snapshot now builds a small table's post data for good when it creates the table (a chunked copy the part of it that
 * holds row by row), and a large table's after its rows are in, as before.
 */
@PgTest
class BuiltAtCreationTest {
    /**
     * Whether each index of the three tables was built before their rows were copied: its pg_class row was written by
     * an older transaction than any of the rows (transaction IDs grow; a test's never wrap around).
     */
    private static final String BUILT_BEFORE_ROWS = "SELECT i.relname || ' ' || (i.xmin::text::bigint < CASE t.relname"
            + " WHEN 'small' THEN (SELECT min(xmin::text::bigint) FROM small)"
            + " WHEN 'other' THEN (SELECT min(xmin::text::bigint) FROM other)"
            + " ELSE (SELECT min(xmin::text::bigint) FROM big) END)"
            + " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            + " WHERE t.relname IN ('small', 'big', 'other') ORDER BY 1";

    /** Every constraint of schema public with its definition, and every sequence with its last value. */
    private static final String DEFINITIONS = "SELECT conrelid::regclass || ' ' || conname || ' '"
            + " || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
            + " UNION ALL SELECT indexrelid::regclass || ' ' || pg_get_indexdef(indexrelid) FROM pg_index"
            + " WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)"
            + " UNION ALL SELECT sequencename || ' ' || last_value FROM pg_sequences WHERE schemaname = 'public'"
            + " ORDER BY 1";

    /**
     * In both copy modes; a chunked copy, whose chunks are read at different moments, builds a small table's unique
     * index after the replay, as before.
     */
    @ParameterizedTest
    @EnumSource(
            value = CopyMode.class,
            names = {"SNAPSHOT", "CHUNKED"})
    void smallTablesAreBuiltWithTheirCreationAndLargeOnesAfterTheirCopy(CopyMode mode, TestDatabase source)
            throws Exception {
        source.execute(
                "CREATE TABLE small (id serial PRIMARY KEY, name text CHECK (length(name) < 20), big_id bigint)",
                "CREATE INDEX small_name ON small (name)",
                "CREATE UNIQUE INDEX small_name_big ON small (name, big_id)",
                "CREATE TABLE big (id bigserial PRIMARY KEY, code text UNIQUE, small_id int REFERENCES small,"
                        + " pad text)",
                "ALTER TABLE small ADD FOREIGN KEY (big_id) REFERENCES big",
                // A foreign key to a small table's unique index, which a chunked copy builds after the replay.
                "CREATE TABLE other (id int PRIMARY KEY, name text, big_id bigint,"
                        + " FOREIGN KEY (name, big_id) REFERENCES small (name, big_id))",
                "INSERT INTO small (name) SELECT 'n' || g FROM generate_series(1, 20) g",
                "INSERT INTO big (code, small_id, pad) SELECT 'c' || g, 1 + g % 20, repeat('x', 40)"
                        + " FROM generate_series(1, 30000) g",
                "UPDATE small SET big_id = id * 7",
                "INSERT INTO other SELECT id, name, big_id FROM small WHERE id <= 5",
                "ANALYZE");
        assertThat(source.queryLong("SELECT pg_relation_size('big')"))
                .isGreaterThan(TableCreation.BUILT_AT_CREATION_BYTES);
        try (TestDatabase target = TestDatabase.create(PostgresServer.second())) {
            new SyncEngine(SyncConfig.builder()
                            .source(source.uri())
                            .target(target.uri())
                            .slot("built_at_creation")
                            .copyMode(mode)
                            .untilCaughtUp(true)
                            .build())
                    .run();
            assertThat(rows(target, BUILT_BEFORE_ROWS))
                    .containsExactly(
                            "big_code_key false",
                            "big_pkey false",
                            "other_pkey true",
                            "small_name true",
                            "small_name_big " + (mode == CopyMode.SNAPSHOT),
                            "small_pkey true");
            List<String> definitions = rows(source, DEFINITIONS);
            assertThat(definitions).hasSize(16);
            assertThat(rows(target, DEFINITIONS)).containsExactlyElementsOf(definitions);
            assertThat(target.queryLong("SELECT count(*) FROM small JOIN big ON big.id = small.big_id"))
                    .isEqualTo(20);
            assertThat(target.queryLong("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated"))
                    .isEqualTo(3);
        }
    }

    private static List<String> rows(TestDatabase db, String sql) throws SQLException {
        return db.withConnection(c -> Rows.of(c, sql));
    }
}
