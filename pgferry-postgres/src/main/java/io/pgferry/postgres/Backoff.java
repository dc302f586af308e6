package io.pgferry.postgres;

import java.time.Duration;

/**
 * Waits between retries of one kind of failure, doubling from {@value #INITIAL_MILLIS} ms up to 30 s, and how long
 * the failures have gone on without a success in between. Used from one thread.
 */
final class Backoff {
    private static final long INITIAL_MILLIS = 250;
    private static final Duration INITIAL = Duration.ofMillis(INITIAL_MILLIS);
    private static final Duration MAX = Duration.ofSeconds(30);

    private Duration next = INITIAL;
    /** When the failures began (System.nanoTime); 0 while not failing. */
    private long failingSince;

    /** Records a failure at {@code now} (nanoTime); true if failures have gone on for longer than {@code limit}. */
    boolean failedLongerThan(long now, Duration limit) {
        if (failingSince == 0) {
            failingSince = now;
        }
        return Duration.ofNanos(now - failingSince).compareTo(limit) > 0;
    }

    /** The wait before the next try; each call doubles the one after, up to the maximum. */
    Duration nextWait() {
        Duration wait = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(MAX) > 0 ? MAX : doubled;
        return wait;
    }

    /** A success: the next failure starts over from the shortest wait. */
    void succeeded() {
        failingSince = 0;
        next = INITIAL;
    }
}
