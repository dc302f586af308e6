package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WalClockTest {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void noSampleNoAnswer() {
        assertThat(new WalClock().coveredUntil(Lsn.of(100))).isEmpty();
    }

    @Test
    void aPositionAtOrPastTheNewestSampleIsCoveredUntilThatSample() {
        WalClock c = new WalClock();
        c.observe(Lsn.of(1000), at(0));
        c.observe(Lsn.of(2000), at(5));
        assertThat(c.coveredUntil(Lsn.of(2000))).contains(at(5));
        assertThat(c.coveredUntil(Lsn.of(2500))).contains(at(5));
    }

    @Test
    void betweenTwoSamplesTheTimeIsInterpolated() {
        WalClock c = new WalClock();
        c.observe(Lsn.of(1000), at(0));
        c.observe(Lsn.of(2000), at(10));
        c.observe(Lsn.of(2000), at(20));
        assertThat(c.coveredUntil(Lsn.of(1000))).contains(at(0));
        assertThat(c.coveredUntil(Lsn.of(1500))).contains(at(5));
        assertThat(c.coveredUntil(Lsn.of(1999)))
                .hasValueSatisfying(t -> assertThat(t).isBetween(at(9), at(10)));
        // Nothing was written between the last two samples: a position that reached the WAL of the first reached
        // the second.
        assertThat(c.coveredUntil(Lsn.of(2000))).contains(at(20));
    }

    @Test
    void aPositionOlderThanEverySampleHasNoAnswer() {
        WalClock c = new WalClock();
        c.observe(Lsn.of(1000), at(0));
        c.observe(Lsn.of(2000), at(5));
        assertThat(c.coveredUntil(Lsn.of(999))).isEmpty();
    }

    @Test
    void samplesOlderThanTheHorizonAreDropped() {
        WalClock c = new WalClock();
        c.observe(Lsn.of(1000), at(0));
        c.observe(Lsn.of(2000), at(10));
        long later = WalClock.KEPT.plus(Duration.ofSeconds(20)).toSeconds();
        c.observe(Lsn.of(3000), at(later));
        c.observe(Lsn.of(4000), at(later + 5));
        assertThat(c.coveredUntil(Lsn.of(1500))).isEmpty();
        assertThat(c.coveredUntil(Lsn.of(3500)))
                .hasValueSatisfying(t -> assertThat(t).isAfter(at(later)).isBefore(at(later + 5)));
    }

    @Test
    void aWalPositionGoingBackStartsOver() {
        WalClock c = new WalClock();
        c.observe(Lsn.of(5000), at(0));
        c.observe(Lsn.of(3000), at(5));
        assertThat(c.coveredUntil(Lsn.of(4000))).contains(at(5));
        assertThat(c.coveredUntil(Lsn.of(2000))).isEmpty();
    }
}
