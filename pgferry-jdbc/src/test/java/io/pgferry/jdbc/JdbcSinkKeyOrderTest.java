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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A batch's updates and deletes are written in key order ({@link KeyOrder}), not in the order they arrived: each row
 * must still receive its own values, at a real PostgreSQL.
 */
@PgTest
class JdbcSinkKeyOrderTest {
    private static final Relation ONE = new Relation(
            1,
            "public",
            "one",
            ReplicaIdentity.DEFAULT,
            List.of(new Column("id", BuiltinTypes.INT8, -1, true), new Column("v", BuiltinTypes.TEXT, -1, false)));
    private static final Relation TWO = new Relation(
            2,
            "public",
            "two",
            ReplicaIdentity.DEFAULT,
            List.of(
                    new Column("name", BuiltinTypes.TEXT, -1, true),
                    new Column("n", BuiltinTypes.INT4, -1, true),
                    new Column("v", BuiltinTypes.TEXT, -1, false)));

    /**
     * Regression guard (issue 5): sorting a run's rows by key must move each row's values with its key. Updates and
     * deletes of keys in a shuffled order, negative and positive, of a one-column and a two-column key, in one
     * batch; afterwards every row holds what its own update set, and only the deleted ones are gone.
     */
    @Test
    void everyRowGetsItsOwnValuesWhateverTheOrderTheyCameIn(TestDatabase db) throws Exception {
        db.execute(
                "CREATE TABLE one (id bigint PRIMARY KEY, v text)",
                "INSERT INTO one SELECT i, 'old' FROM generate_series(-500, 499) i",
                "CREATE TABLE two (name text, n int, v text, PRIMARY KEY (name, n))",
                "INSERT INTO two SELECT chr(97 + i % 5), i - 100, 'old' FROM generate_series(0, 199) i");
        List<Integer> ids = new ArrayList<>();
        for (int i = -500; i < 500; i++) {
            ids.add(i);
        }
        Collections.shuffle(ids, new Random(11));
        List<Integer> pairs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            pairs.add(i);
        }
        Collections.shuffle(pairs, new Random(12));

        JdbcSink sink = TestSinks.sink(db, "order", r -> new TargetTable("public", r.table()));
        try {
            sink.begin();
            long lsn = 100;
            for (int id : ids.subList(0, 600)) {
                sink.apply(new ChangeEvent.Update(Lsn.of(lsn++), ONE, null, row(ONE, false, id, "new " + id)));
            }
            for (int id : ids.subList(600, 800)) {
                sink.apply(new ChangeEvent.Delete(Lsn.of(lsn++), ONE, row(ONE, true, id, null)));
            }
            for (int i : pairs.subList(0, 150)) {
                String name = String.valueOf((char) (97 + i % 5));
                sink.apply(new ChangeEvent.Update(
                        Lsn.of(lsn++), TWO, null, row(TWO, false, name, i - 100, "new " + name + (i - 100))));
            }
            sink.commit(Lsn.of(lsn), Instant.now());
        } finally {
            sink.close();
        }

        assertThat(db.queryLong("SELECT count(*) FROM one")).isEqualTo(800);
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE v = 'new ' || id"))
                .isEqualTo(600);
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE v = 'old'")).isEqualTo(200);
        assertThat(db.queryLong("SELECT count(*) FROM one WHERE id IN (" + join(ids.subList(600, 800)) + ")"))
                .isZero();
        assertThat(db.queryLong("SELECT count(*) FROM two WHERE v = 'new ' || name || n"))
                .isEqualTo(150);
        assertThat(db.queryLong("SELECT count(*) FROM two WHERE v = 'old'")).isEqualTo(50);
    }

    private static String join(List<Integer> ids) {
        StringBuilder s = new StringBuilder();
        for (int id : ids) {
            s.append(s.length() == 0 ? "" : ",").append(id);
        }
        return s.toString();
    }

    /** A row of {@code relation} with {@code values} in column order; {@code keyOnly} leaves non-key columns null. */
    static Row row(Relation relation, boolean keyOnly, Object... values) {
        byte[] kinds = new byte[values.length];
        int[] offsets = new int[values.length];
        int[] lengths = new int[values.length];
        StringBuilder buffer = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            boolean none =
                    values[i] == null || (keyOnly && !relation.columns().get(i).key());
            String text = none ? "" : values[i].toString();
            kinds[i] = none ? TupleData.NULL : TupleData.TEXT;
            offsets[i] = buffer.length();
            lengths[i] = text.length();
            buffer.append(text);
        }
        // ASCII only, so characters and bytes line up.
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.US_ASCII);
        return new Row(relation, new TupleData(bytes, kinds, offsets, lengths), BuiltinTypes.builtin(), keyOnly);
    }
}
