package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.value.BuiltinTypes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-table applied counts (issue #9): only committed batches count; a schema change's new relation is the same table. */
class TableCountsTest {
    private static Relation relation(String table) {
        return new Relation(
                1, "public", table, ReplicaIdentity.DEFAULT, List.of(new Column("id", BuiltinTypes.INT4, -1, true)));
    }

    @Test
    void committedBatchesCountAndAbandonedOnesDoNot() {
        Relation a = relation("a");
        Relation b = relation("b");
        TableCounts counts = new TableCounts();
        counts.count(new ChangeEvent.Insert(Lsn.of(1), a, null));
        counts.count(new ChangeEvent.Update(Lsn.of(2), a, null, null));
        counts.count(new ChangeEvent.Delete(Lsn.of(3), b, null));
        counts.count(new ChangeEvent.Message(Lsn.of(4), "p", new byte[0], true));
        assertThat(counts.tables()).as("nothing counts before the commit").isEmpty();
        counts.commit();
        assertThat(counts.tables()).containsExactly("public.a", "public.b");
        assertThat(counts.applied("public.a")).isEqualTo(2);
        assertThat(counts.applied("public.b")).isEqualTo(1);

        counts.count(new ChangeEvent.Insert(Lsn.of(5), a, null));
        counts.abandon();
        counts.count(new ChangeEvent.Insert(Lsn.of(6), relation("a"), null)); // a new Relation object after DDL
        counts.commit();
        assertThat(counts.applied("public.a")).isEqualTo(3);
        assertThat(counts.applied("public.c")).isZero();
    }
}
