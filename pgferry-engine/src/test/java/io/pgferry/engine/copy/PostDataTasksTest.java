package io.pgferry.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.engine.schema.PostData;
import io.pgferry.engine.schema.SourceTable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a copied table's indexes and attach list reach the workers' queue. */
class PostDataTasksTest {
    private static SourceTable table(String name) {
        return RangePlannerTest.table(name);
    }

    private static PostData post(List<String> indexes, List<String> attach) {
        return new PostData(indexes, attach, List.of(), List.of(), List.of());
    }

    private final SourceTable keyed = table("keyed");
    private final SourceTable plain = table("plain");
    private final SourceTable checked = table("checked");
    private final SourceTable bare = table("bare");
    private final PostDataTasks<String> tasks = new PostDataTasks<>(Map.of(
            keyed.name(), post(List.of("CREATE UNIQUE INDEX k", "CREATE INDEX a"), List.of("ADD PRIMARY KEY")),
            plain.name(), post(List.of("CREATE INDEX p"), List.of()),
            checked.name(), post(List.of(), List.of("ADD CHECK", "SET DEFAULT"))));

    @Test
    void aTablesAttachListComesAfterItsLastIndexAndNotBefore() {
        assertThat(tasks.count(keyed)).isEqualTo(3);
        assertThat(tasks.rowsDone(keyed))
                .containsExactly(
                        new WorkerTask.Index<>(keyed, "CREATE UNIQUE INDEX k"),
                        new WorkerTask.Index<>(keyed, "CREATE INDEX a"));
        assertThat(tasks.indexBuilt(keyed)).isEmpty();
        assertThat(tasks.indexBuilt(keyed)).containsExactly(new WorkerTask.Attach<>(keyed, List.of("ADD PRIMARY KEY")));
    }

    @Test
    void aTableWithoutIndexesIsAttachedAsSoonAsItsRowsAreIn() {
        assertThat(tasks.count(checked)).isEqualTo(1);
        assertThat(tasks.rowsDone(checked))
                .containsExactly(new WorkerTask.Attach<>(checked, List.of("ADD CHECK", "SET DEFAULT")));
    }

    @Test
    void nothingToAttachMakesNoTask() {
        assertThat(tasks.count(plain)).isEqualTo(1);
        assertThat(tasks.rowsDone(plain)).containsExactly(new WorkerTask.Index<>(plain, "CREATE INDEX p"));
        assertThat(tasks.indexBuilt(plain)).isEmpty();
        assertThat(tasks.count(bare)).isZero();
        assertThat(tasks.rowsDone(bare)).isEmpty();
    }
}
