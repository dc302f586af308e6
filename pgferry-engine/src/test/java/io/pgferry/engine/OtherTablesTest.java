package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.engine.schema.SourceTables;
import io.pgferry.postgres.catalog.TableName;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which changes a sync leaves out because their table is not one of its own (issue 5). */
class OtherTablesTest {
    private static final Lsn READ_AT = Lsn.of(1000);

    private static SourceTable table(String name, long oid) {
        return SourceTables.bare(name, oid, "public." + name, List.of(), 0, READ_AT);
    }

    private static Relation relation(int oid, String table) {
        return new Relation(
                oid, "public", table, ReplicaIdentity.DEFAULT, List.of(new Column("id", BuiltinTypes.INT4, -1, true)));
    }

    private static ChangeEvent insert(long lsn, Relation r) {
        return new ChangeEvent.Insert(Lsn.of(lsn), r, null);
    }

    @Test
    void theSyncsTablesPassAndAnotherTablesChangesAreLeftOut() {
        OtherTables others = new OtherTables(List.of(table("a", 10)), Set.of(), "s", "p");
        ChangeEvent ours = insert(2000, relation(10, "a"));
        assertThat(others.process(ours)).isSameAs(ours);
        assertThat(others.process(insert(2000, relation(11, "b")))).isNull();
        assertThat(others.process(new ChangeEvent.Delete(Lsn.of(2000), relation(11, "b"), null)))
                .isNull();
        ChangeEvent both =
                new ChangeEvent.Truncate(Lsn.of(2000), List.of(relation(10, "a"), relation(11, "b")), false, false);
        assertThat(((ChangeEvent.Truncate) others.process(both)).relations())
                .extracting(Relation::table)
                .containsExactly("a");
    }

    @Test
    void aTableOfTheSyncUnderAnotherNameIsARenameThatStopsTheSync() {
        OtherTables others = new OtherTables(List.of(table("a", 10)), Set.of(), "s", "p");
        assertThatThrownBy(() -> others.process(insert(500, relation(10, "old_name"))))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("source table public.a of sync s was renamed to public.old_name");
    }

    @Test
    void aChangeOfAPartitionedTableUnderAPartitionsNameStopsTheSync() {
        SourceTable m = SourceTables.bare(
                "m", 10, "public.m", List.of(new SourceTable.Leaf(20, "public.m2025", 1, 1)), 0, READ_AT);
        OtherTables others = new OtherTables(List.of(m), Set.of(), "s", "p");
        assertThatThrownBy(() -> others.process(insert(2000, relation(20, "m2025"))))
                .hasMessageContaining("arrived under the name of its partition public.m2025");
    }

    @Test
    void anAddedTablesChangesUnderItsOldNameBeforeItsDefinitionWasReadAreHeldInItsCopy() {
        OtherTables others = new OtherTables(List.of(table("c", 10)), Set.of(new TableName("public", "c")), "s", "p");
        assertThat(others.process(insert(999, relation(10, "b")))).isNull();
        assertThatThrownBy(() -> others.process(insert(1000, relation(10, "d"))))
                .hasMessageContaining("was renamed to public.d");
    }

    /**
     * Issue 7: a table that existed when the sync started and was renamed into the patterns of a sync that takes new
     * tables (Kafka) was taken from its next change, its rows never sent. Only a table created since is taken.
     */
    @Test
    void onlyATableCreatedSinceTheStartIsTakenFromItsFirstChange() {
        List<String> asked = new java.util.ArrayList<>();
        OtherTables others =
                new OtherTables(List.of(table("a", 10)), Set.of(), t -> asked.add(t.name()), Set.of(10, 11), "s", "p");
        assertThat(others.process(insert(2000, relation(11, "renamed_in")))).isNull();
        ChangeEvent born = insert(2000, relation(12, "born"));
        assertThat(others.process(born)).isSameAs(born);
        assertThat(asked).containsExactly("born");
    }
}
