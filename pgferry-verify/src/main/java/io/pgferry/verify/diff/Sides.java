package io.pgferry.verify.diff;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** The source and target connections; {@link #both} runs the same work on each at the same time. */
final class Sides {
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final Connection source;
    private final Connection target;
    private final ExecutorService pool;

    Sides(Connection source, Connection target, ExecutorService pool) {
        this.source = source;
        this.target = target;
        this.pool = pool;
    }

    /** [source's result, target's result]; the target's runs on the pool while the source's runs here. */
    <T> List<T> both(Work<T> work) throws SQLException {
        Future<T> t = pool.submit(() -> work.run(target));
        T s;
        try {
            s = work.run(source);
        } catch (SQLException | RuntimeException e) {
            t.cancel(true);
            throw e;
        }
        try {
            return List.of(s, t.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the target", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new IllegalStateException("the target's query failed", e.getCause());
        }
    }

    <T> T source(Work<T> work) throws SQLException {
        return work.run(source);
    }

    <T> T target(Work<T> work) throws SQLException {
        return work.run(target);
    }
}
