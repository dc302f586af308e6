package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.postgres.ChangeStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A {@link SyncEngine} running until stopped on a thread of its own; closing stops it and rethrows its failure. */
final class RunningSync implements AutoCloseable {
    private final SyncEngine engine;
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final Future<SyncEngine.Result> result;

    private RunningSync(SyncEngine engine) {
        this.engine = engine;
        this.result = thread.submit(engine::run);
    }

    static RunningSync start(SyncEngine engine) {
        return new RunningSync(engine);
    }

    SyncEngine engine() {
        return engine;
    }

    /** Fails the test with the sync's own error if it has stopped. */
    void assertRunning() throws Exception {
        if (result.isDone()) {
            result.get();
        }
        assertThat(result.isDone()).as("the sync is still running").isFalse();
    }

    /** Waits until the sync's handler has failed {@code n} times (and been retried), failing if the sync stops. */
    void awaitHandlerErrors(int n, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (engine.streamStats().handlerErrors() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within 60 s");
            }
            assertRunning();
            Thread.sleep(20); // polling interval of the wait, not a synchronisation
        }
    }

    /** Waits until the sync streams (its copy done), failing if it stops. */
    void awaitStreaming() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (engine.streamState() != ChangeStream.State.STREAMING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the sync did not stream within 60 s");
            }
            assertRunning();
            Thread.sleep(20); // polling interval of the wait, not a synchronisation
        }
    }

    /** The error the sync stops with, waiting up to {@code seconds} for it; fails the test if it does not stop. */
    Throwable failure(int seconds) throws InterruptedException, TimeoutException {
        try {
            result.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the sync ended without an error");
    }

    @Override
    public void close() throws ExecutionException, TimeoutException {
        engine.stop();
        try {
            result.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            thread.shutdownNow();
        }
    }
}
