package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void waitsDoubleUpToThirtySecondsAndStartOverAfterASuccess() {
        Backoff b = new Backoff();
        long[] millis = new long[10];
        for (int i = 0; i < millis.length; i++) {
            millis[i] = b.nextWait().toMillis();
        }
        assertThat(millis).containsExactly(250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000);
        b.succeeded();
        assertThat(b.nextWait()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void givesUpOnlyWhenFailuresLastLongerThanTheLimitWithoutASuccess() {
        Backoff b = new Backoff();
        Duration limit = Duration.ofSeconds(10);
        long start = 5 * SECOND;
        assertThat(b.failedLongerThan(start, limit)).isFalse();
        assertThat(b.failedLongerThan(start + 10 * SECOND, limit)).isFalse();
        assertThat(b.failedLongerThan(start + 10 * SECOND + 1, limit)).isTrue();
        b.succeeded();
        // A success in between: the clock of the failures starts again.
        assertThat(b.failedLongerThan(start + 20 * SECOND, limit)).isFalse();
        assertThat(b.failedLongerThan(start + 29 * SECOND, limit)).isFalse();
    }
}
