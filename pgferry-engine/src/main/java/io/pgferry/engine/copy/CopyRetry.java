package io.pgferry.engine.copy;

import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.JdbcErrors;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a step of a copy again after a failure that passes ({@link JdbcErrors#isRetriable}: a lost connection, a
 * server restarting or out of connections, a target that a failover made read-only), waiting from 250 ms, doubling up
 * to 30 s, for at most the sync's maximum retry time from the first failure. A step is written so that running it
 * again is exact (a range looks for its mark first; a statement after the data accepts finding its object built).
 * Thread-safe: it keeps no state between calls.
 */
final class CopyRetry {
    private static final Logger log = LoggerFactory.getLogger(CopyRetry.class);
    private static final long FIRST_WAIT_MILLIS = 250;
    private static final long LONGEST_WAIT_MILLIS = 30_000;
    /** How often a wait looks whether the copy has stopped meanwhile. */
    private static final long POLL_MILLIS = 100;

    private final Duration limit;
    /** What a copy that gave up says to do next, after the fix of its failure ("start the sync again: ..."). */
    private final String then;
    /**
     * The server an {@link SQLException} of the steps comes from, for its log line and the fix of one given up on; a
     * {@link SourceFailure} comes from the source.
     */
    private final String sqlSide;

    /** Retries steps of a copy into PostgreSQL, whose {@link SQLException}s are the target's but {@link SourceFailure}s. */
    CopyRetry(Duration limit, String then) {
        this(limit, then, "the target");
    }

    /** @param sqlSide the server the steps' {@link SQLException}s come from ("the source") */
    CopyRetry(Duration limit, String then, String sqlSide) {
        this.limit = limit;
        this.then = then;
        this.sqlSide = sqlSide;
    }

    /** A step; {@code again} is true when it runs after a failure of its own. */
    @FunctionalInterface
    interface Step<T> {
        T run(boolean again) throws SQLException, InterruptedException;
    }

    /**
     * Runs {@code step} until it succeeds. A failure that does not pass is thrown as it is; one that goes on past the
     * limit, or comes once {@code stopped} says the copy is over, as a fatal {@link PgFerryException} whose fix ends
     * with what to do next.
     *
     * @param what the step, for the log ("copy public.t blocks 0..1024"): names, never values
     */
    <T> T run(String what, BooleanSupplier stopped, Step<T> step) throws SQLException, InterruptedException {
        long firstFailure = 0;
        long wait = FIRST_WAIT_MILLIS;
        for (boolean again = false; ; again = true) {
            try {
                return step.run(again);
            } catch (SQLException | PgFerryException e) {
                long now = System.nanoTime();
                if (firstFailure == 0) {
                    firstFailure = now;
                }
                if (!passes(e)) {
                    throw e;
                }
                if (now - firstFailure > limit.toNanos() || stopped.getAsBoolean()) {
                    throw givenUp(e, what);
                }
                log.warn("{}; trying again in {} ms", describe(e, what), wait);
                if (!pause(wait, stopped)) {
                    throw givenUp(e, what);
                }
                wait = Math.min(wait * 2, LONGEST_WAIT_MILLIS);
            }
        }
    }

    private static boolean passes(Exception e) {
        return e instanceof SQLException s ? JdbcErrors.isRetriable(s) : ((PgFerryException) e).isRetriable();
    }

    private PgFerryException givenUp(Exception e, String what) {
        if (e instanceof SQLException s) {
            return JdbcErrors.notRetried(s, what, side(s), then);
        }
        PgFerryException p = (PgFerryException) e;
        return PgFerryException.fatal(p.problem(), givenUpFix(p.fix()) + ", then " + then, p);
    }

    /**
     * The fix of a failure that passes, once retries are over, without what it says of retries: "it is retried; check
     * the destination if it persists" becomes "check the destination", and "point the target at the primary; a
     * running sync retries meanwhile" becomes "point the target at the primary".
     */
    static String givenUpFix(String fix) {
        String f = fix;
        for (String retries : new String[] {"; a running sync retries meanwhile", " if it persists"}) {
            f = f.endsWith(retries) ? f.substring(0, f.length() - retries.length()) : f;
        }
        String retried = "it is retried; ";
        return f.startsWith(retried) ? f.substring(retried.length()) : f;
    }

    /** One line for the log: the server's message for the failures that pass carries no row values. */
    private String describe(Exception e, String what) {
        return e instanceof SQLException s
                ? JdbcErrors.classify(s, what + ", at " + side(s)).problem()
                : what + ": " + ((PgFerryException) e).problem();
    }

    private String side(SQLException e) {
        return e instanceof SourceFailure ? "the source" : sqlSide;
    }

    /** Waits {@code millis} unless the copy stops first; false if it did. */
    private static boolean pause(long millis, BooleanSupplier stopped) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            if (stopped.getAsBoolean()) {
                return false;
            }
            // A backoff between attempts, not a synchronisation: nothing is waited for but time.
            Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, (end - System.nanoTime()) / 1_000_000L)));
        }
        return true;
    }
}
