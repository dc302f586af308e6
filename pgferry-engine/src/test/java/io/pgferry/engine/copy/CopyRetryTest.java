package io.pgferry.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a copy's step runs again, and what it says when it gives up (issue 5). */
class CopyRetryTest {
    private static final SQLException LOST =
            new SQLException("An I/O error occurred while sending to the backend.", "08006");

    @Test
    void aFailureThatPassesRunsTheStepAgainUntilItSucceeds() throws Exception {
        List<Boolean> runs = new ArrayList<>();
        String result = new CopyRetry(Duration.ofMinutes(1), "start again").run("copy public.t", () -> false, again -> {
            runs.add(again);
            if (runs.size() < 3) {
                throw LOST;
            }
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(runs).containsExactly(false, true, true);
    }

    @Test
    void aFailureThatDoesNotPassIsThrownAsItIs() {
        SQLException duplicate = new SQLException("duplicate key", "23505");
        List<Boolean> runs = new ArrayList<>();
        assertThatThrownBy(() -> new CopyRetry(Duration.ofMinutes(1), "start again")
                        .run("copy public.t", () -> false, again -> {
                            runs.add(again);
                            throw duplicate;
                        }))
                .isSameAs(duplicate);
        assertThat(runs).hasSize(1);
    }

    @Test
    void pastTheRetryTimeItGivesUpWithWhatToDoNext() {
        assertThatThrownBy(() -> new CopyRetry(Duration.ZERO, "start the sync again: the copy starts over")
                        .run("could not copy table public.t", () -> false, again -> {
                            throw LOST;
                        }))
                .isInstanceOfSatisfying(PgFerryException.class, e -> {
                    assertThat(e.isRetriable()).isFalse();
                    assertThat(e.problem()).startsWith("could not copy table public.t: connection failed");
                    assertThat(e.fix()).endsWith("then start the sync again: the copy starts over");
                })
                .hasCause(LOST);
    }

    @Test
    void aStoppedCopyGivesUpAtOnce() {
        List<Boolean> runs = new ArrayList<>();
        assertThatThrownBy(() -> new CopyRetry(Duration.ofMinutes(1), "start again")
                        .run("copy public.t", () -> true, again -> {
                            runs.add(again);
                            throw LOST;
                        }))
                .isInstanceOf(PgFerryException.class);
        assertThat(runs).hasSize(1);
    }
}
