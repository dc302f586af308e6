package io.pgferry.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.config.SyncConfig;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the copy plans from: a plain table's own size, a partitioned table's leaves. Regression: a plain table was
 * once planned as zero blocks, so it was copied as one range by one worker. Issue #5.
 */
@PgTest
class SourceCatalogTest {

    @Test
    void plainTableHasItsOwnSizeAndPartitionedTableItsLeaves(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE plain (id int PRIMARY KEY, v text)",
                "INSERT INTO plain SELECT i, repeat('x', 100) FROM generate_series(1, 20000) i",
                "CREATE TABLE parted (id int, k int) PARTITION BY LIST (k)",
                "CREATE TABLE parted_1 PARTITION OF parted FOR VALUES IN (1)",
                "CREATE TABLE parted_2 PARTITION OF parted FOR VALUES IN (2)",
                "INSERT INTO parted SELECT i, 1 + i % 2 FROM generate_series(1, 100) i");
        long blocks = db.queryLong("SELECT pg_relation_size('plain') / 8192");
        try (Connection c = db.connect()) {
            SyncConfig config = SyncConfig.builder()
                    .source(db.uri())
                    .target(db.server().uri(db.name() + "_other"))
                    .build();
            List<SourceTable> tables = new SourceCatalog(c, config)
                    .read(List.of(new TableName("public", "plain"), new TableName("public", "parted")));
            assertThat(tables.get(0).leaves()).singleElement().satisfies(l -> {
                assertThat(l.blocks()).isEqualTo(blocks).isGreaterThan(100);
                assertThat(l.qualified()).isEqualTo("public.plain");
            });
            assertThat(tables.get(0).bytes()).isEqualTo(blocks * 8192);
            assertThat(tables.get(1).leaves())
                    .extracting(SourceTable.Leaf::qualified)
                    .containsExactlyInAnyOrder("public.parted_1", "public.parted_2");
            assertThat(tables.get(0).primaryKey()).containsExactly("id");
        }
    }
}
