package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The lag a sync's metrics serve counts as its status does (issue 5). */
class SyncLagTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @Test
    void nothingLeftToReadIsNoLagWhateverTheTimes() {
        assertThat(new SyncLag(0, null).seconds(NOW, NOW.minusSeconds(3600))).isZero();
    }

    @Test
    void theLaterOfTheLastCommitAndTheCaughtUpTimeCounts() {
        assertThat(new SyncLag(100, NOW.minusSeconds(2)).seconds(NOW, NOW.minusSeconds(3600)))
                .isEqualTo(2.0);
        assertThat(new SyncLag(100, NOW.minusSeconds(3600)).seconds(NOW, NOW.minusSeconds(5)))
                .isEqualTo(5.0);
        // A sync behind by more than the samples of the source's WAL reach: the last commit alone bounds it.
        assertThat(new SyncLag(100, null).seconds(NOW, NOW.minusSeconds(7200))).isEqualTo(7200.0);
    }

    @Test
    void neitherTimeKnownIsNotANumber() {
        assertThat(new SyncLag(100, null).seconds(NOW, null)).isNaN();
    }
}
