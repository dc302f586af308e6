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

    /**
     * Issue 7: a destination failure given up on said "it is retried; check the destination if it persists; then
     * start the sync again", once nothing was retried any more.
     */
    @Test
    void aDestinationFailureGivenUpOnSaysWhatToCheckThenWhatToDo() {
        PgFerryException lost = PgFerryException.retriable(
                "could not commit copied rows at mariadb://db:3306/shop: connection failed (SQLSTATE 08000)",
                "it is retried; check the destination if it persists",
                null);
        assertThatThrownBy(
                        () -> new CopyRetry(Duration.ZERO, "start the sync again: the copy starts over", "the source")
                                .run("copy public.t blocks 0..end", () -> false, again -> {
                                    throw lost;
                                }))
                .isInstanceOfSatisfying(PgFerryException.class, e -> {
                    assertThat(e.isRetriable()).isFalse();
                    assertThat(e.problem()).isEqualTo(lost.problem());
                    assertThat(e.fix())
                            .isEqualTo("check the destination, then start the sync again: the copy starts over");
                });
    }

    @Test
    void aSourceFailureGivenUpOnNamesTheSource() {
        assertThatThrownBy(() -> new CopyRetry(Duration.ZERO, "start again", "the source")
                        .run("copy public.t blocks 0..end", () -> false, again -> {
                            throw LOST;
                        }))
                .isInstanceOfSatisfying(PgFerryException.class, e -> assertThat(e.fix())
                        .isEqualTo("check the source, then start again"));
    }

    /** A copy into PostgreSQL tells the source's failures (a {@link SourceFailure}) from the target's. */
    @Test
    void aCopyIntoPostgresqlNamesTheServerWhoseSessionFailed() {
        CopyRetry retry = new CopyRetry(Duration.ZERO, "start again");
        assertThatThrownBy(() -> retry.run("copy public.t", () -> false, again -> {
                    throw SourceFailure.of(LOST);
                }))
                .isInstanceOfSatisfying(PgFerryException.class, e -> {
                    assertThat(e.problem()).isEqualTo("copy public.t: connection failed (SQLSTATE 08006)");
                    assertThat(e.fix()).isEqualTo("check the source, then start again");
                });
        assertThatThrownBy(() -> retry.run("copy public.t", () -> false, again -> {
                    throw LOST;
                }))
                .isInstanceOfSatisfying(PgFerryException.class, e -> assertThat(e.fix())
                        .isEqualTo("check the target, then start again"));
    }
}
