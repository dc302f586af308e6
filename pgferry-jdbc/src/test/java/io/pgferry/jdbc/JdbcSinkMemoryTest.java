package io.pgferry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How much of a batch the JDBC sink holds on the heap, at a real PostgreSQL. */
@PgTest
class JdbcSinkMemoryTest {
    private static final Relation WIDE = new Relation(
            1,
            "public",
            "w",
            ReplicaIdentity.DEFAULT,
            List.of(new Column("id", BuiltinTypes.INT4, -1, true), new Column("v", BuiltinTypes.TEXT, -1, false)));

    /**
     * Regression (issue 5): a batch held up to 5,000 rows a table before writing any, so wide rows in a large
     * transaction could hold gigabytes on the heap. The open runs are written, in the batch's transaction, once they
     * hold {@link OpenRuns#MAX_OPEN_BYTES}; the batch still commits as one.
     */
    @Test
    void wideRowsAreWrittenBeforeTheBatchHoldsMoreThanTheBound(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE w (id int PRIMARY KEY, v text)");
        JdbcSink sink = TestSinks.sink(db, "memory", r -> new TargetTable("public", "w"));
        try {
            String wide = "x".repeat(1 << 20);
            long peak = 0;
            sink.begin();
            for (int i = 0; i < 48; i++) {
                sink.apply(new ChangeEvent.Insert(Lsn.of(100 + i), WIDE, row(i, wide)));
                peak = Math.max(peak, sink.open.bytes());
            }
            assertThat(peak).isGreaterThan(OpenRuns.MAX_OPEN_BYTES / 2).isLessThan(OpenRuns.MAX_OPEN_BYTES);
            assertThat(db.queryLong("SELECT count(*) FROM w"))
                    .as("nothing visible before the commit")
                    .isZero();
            sink.commit(Lsn.of(1000), Instant.now());
        } finally {
            sink.close();
        }
        assertThat(db.queryLong("SELECT count(*) FROM w WHERE length(v) = " + (1 << 20)))
                .isEqualTo(48);
    }

    private static Row row(int id, String v) {
        byte[] a = Integer.toString(id).getBytes(StandardCharsets.UTF_8);
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[a.length + b.length];
        System.arraycopy(a, 0, buffer, 0, a.length);
        System.arraycopy(b, 0, buffer, a.length, b.length);
        TupleData t =
                new TupleData(buffer, new byte[] {TupleData.TEXT, TupleData.TEXT}, new int[] {0, a.length}, new int[] {
                    a.length, b.length
                });
        return new Row(WIDE, t, BuiltinTypes.builtin(), false);
    }
}
