package io.pgferry.verify.diff;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.Rows;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cut points of a segment with a non-integer key are chosen in the database: only the cut keys reach the
 * client. Guards the defect that a differing segment's whole key list was read to the client to pick them (a large
 * segment of a uuid- or text-keyed table sent every one of its keys). Issue #6.
 */
@PgTest
@Tag("verify")
class QuantileQueryTest {

    @Test
    void returnsTheFirstKeyOfEveryRunButTheFirst(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE \"Keys\" (\"Name\" text COLLATE \"C\", n int, PRIMARY KEY (\"Name\", n))",
                "INSERT INTO \"Keys\" SELECT 'k' || lpad(i::text, 4, '0'), i % 2 FROM generate_series(0, 999) i");
        try (Connection c = db.connect()) {
            KeySpace ks = KeySpace.of(c, "public", "Keys");
            String all = ks.relation() + " r WHERE true";

            assertThat(Rows.of(c, TableDiffer.quantileQuery(ks, all, 4)))
                    .containsExactly("k0250|0", "k0500|0", "k0750|0");
            assertThat(Rows.of(c, TableDiffer.quantileQuery(ks, ks.relation() + " r WHERE r.\"Name\" >= 'k0990'", 4)))
                    .containsExactly("k0993|1", "k0995|1", "k0998|0");
        }
    }

    @Test
    void aSegmentWithFewerRowsThanPartsIsCutAtEveryRowButTheFirst(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE t (k uuid PRIMARY KEY)",
                "INSERT INTO t SELECT md5(i::text)::uuid FROM generate_series(1, 3) i");
        try (Connection c = db.connect()) {
            KeySpace ks = KeySpace.of(c, "public", "t");
            List<String> keys = Rows.of(c, "SELECT k::text FROM t ORDER BY k");

            assertThat(Rows.of(c, TableDiffer.quantileQuery(ks, ks.relation() + " r WHERE true", 32)))
                    .containsExactlyElementsOf(keys.subList(1, 3));
            assertThat(Rows.of(c, TableDiffer.quantileQuery(ks, ks.relation() + " r WHERE false", 32)))
                    .isEmpty();
        }
    }
}
