package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.sink.Stage;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.postgres.catalog.TableName;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which changes of a table added to a running sync are left out: those its copy holds (issue 5). */
class AppliedFromTest {
    private static final Relation OLD = relation("old");
    private static final Relation ADDED = relation("added");
    private static final AppliedFrom FROM = new AppliedFrom(Map.of(new TableName("public", "added"), Lsn.of(1000)));

    private static Relation relation(String table) {
        return new Relation(
                1, "public", table, ReplicaIdentity.DEFAULT, List.of(new Column("id", BuiltinTypes.INT4, -1, true)));
    }

    @Test
    void aTransactionCommittedBeforeTheSnapshotLeavesOutTheAddedTablesChangesOnly() {
        Stage before = FROM.at(Lsn.of(999));
        assertThat(before.process(new ChangeEvent.Insert(Lsn.of(900), ADDED, null)))
                .isNull();
        assertThat(before.process(new ChangeEvent.Update(Lsn.of(900), ADDED, null, null)))
                .isNull();
        assertThat(before.process(new ChangeEvent.Delete(Lsn.of(900), ADDED, null)))
                .isNull();
        ChangeEvent other = new ChangeEvent.Insert(Lsn.of(900), OLD, null);
        assertThat(before.process(other)).isSameAs(other);
    }

    @Test
    void aTruncateOfBothGoesOnForTheOtherTable() {
        Stage before = FROM.at(Lsn.of(999));
        ChangeEvent both = new ChangeEvent.Truncate(Lsn.of(900), List.of(OLD, ADDED), true, false);
        assertThat(before.process(both)).isEqualTo(new ChangeEvent.Truncate(Lsn.of(900), List.of(OLD), true, false));
        assertThat(before.process(new ChangeEvent.Truncate(Lsn.of(900), List.of(ADDED), false, false)))
                .isNull();
    }

    @Test
    void fromTheConsistentPointOnEverythingApplies() {
        // A change's own position may precede the point: its transaction's commit is what the snapshot goes by.
        ChangeEvent early = new ChangeEvent.Insert(Lsn.of(900), ADDED, null);
        assertThat(FROM.at(Lsn.of(1000))).isSameAs(Stage.IDENTITY);
        assertThat(FROM.at(Lsn.of(1001)).process(early)).isSameAs(early);
        assertThat(AppliedFrom.NONE.at(Lsn.of(1))).isSameAs(Stage.IDENTITY);
    }
}
