package io.pgferry.engine.copy;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many parallel workers PostgreSQL may give one of the copy's index builds ({@code
 * max_parallel_maintenance_workers}, PostgreSQL docs, "Resource Consumption"): as many as the copy has workers with
 * nothing to do at the moment, and at most what the target's own setting allows.
 *
 * <p>Why: the copy already runs one range or one build per worker, so a build that also takes the server's parallel
 * workers puts more processes on the target's cores than the copy was given. Measured on 2 cores, 4 workers copying
 * 2,000,000 rows with their indexes: 21 % more target CPU and 14 % more time with the server's default of 2 parallel
 * workers per build than with none (docs/benchmarks.md). Once the queue empties and workers go idle, the last builds
 * get parallel workers again, as many as there are idle copy workers.
 *
 * <p>Thread-safe: each copy worker reports the tasks it starts and ends, and asks before each build.
 */
final class IndexParallelism {
    private final int workers;
    private final AtomicInteger busy = new AtomicInteger();

    /** @param workers the copy's workers */
    IndexParallelism(int workers) {
        this.workers = workers;
    }

    /** A worker took a task. */
    void started() {
        busy.incrementAndGet();
    }

    /** A worker ended its task. */
    void ended() {
        busy.decrementAndGet();
    }

    /** The parallel workers the build about to start may use: the copy's workers that have no task now. */
    int spare() {
        return Math.max(0, workers - busy.get());
    }

    /**
     * Sets, on the session of {@code st}, the parallel workers of the build about to run: {@link #spare}, at most the
     * setting the session would have by default ({@code reset_val}: the server's, the database's or the role's).
     */
    void apply(Statement st) throws SQLException {
        st.execute("SELECT pg_catalog.set_config('max_parallel_maintenance_workers', least(" + spare()
                + ", s.reset_val::int)::text, false) FROM pg_catalog.pg_settings s"
                + " WHERE s.name = 'max_parallel_maintenance_workers'");
    }
}
