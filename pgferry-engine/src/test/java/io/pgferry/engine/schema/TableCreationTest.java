package io.pgferry.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How tables to empty are cut into TRUNCATE statements: pure names and foreign keys in, groups out. */
class TableCreationTest {
    private static List<String> names(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("t" + i);
        }
        return out;
    }

    @Test
    void tablesNoForeignKeyJoinsArePackedFiftyToAStatement() {
        List<List<String>> groups = TableCreation.truncateGroups(names(120), List.of());
        assertThat(groups).extracting(List::size).containsExactly(50, 50, 20);
        assertThat(groups.stream().flatMap(List::stream)).containsExactlyElementsOf(names(120));
    }

    @Test
    void tablesForeignKeysJoinStayTogetherAndALargerSetStandsAlone() {
        List<int[]> references = new ArrayList<>();
        // t1 references t0, and t99 references t1: one set of three, the other ends of the list.
        references.add(new int[] {1, 0});
        references.add(new int[] {99, 1});
        // t10..t69 a chain of 60 tables, more than a statement's share.
        for (int i = 11; i < 70; i++) {
            references.add(new int[] {i, i - 1});
        }
        List<List<String>> groups = TableCreation.truncateGroups(names(100), references);
        assertThat(groups.stream().mapToInt(List::size).sum()).isEqualTo(100);
        List<String> withT0 =
                groups.stream().filter(g -> g.contains("t0")).findFirst().orElseThrow();
        assertThat(withT0).contains("t1", "t99");
        List<String> chain =
                groups.stream().filter(g -> g.contains("t10")).findFirst().orElseThrow();
        assertThat(chain).hasSize(60).contains("t69");
        assertThat(groups)
                .allSatisfy(g -> assertThat(g.size() <= 50 || g == chain).isTrue());
    }
}
