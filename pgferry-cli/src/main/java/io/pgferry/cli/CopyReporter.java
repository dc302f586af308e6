package io.pgferry.cli;

import io.pgferry.engine.CopyProgress;
import io.pgferry.engine.SyncEngine;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Prints one line of copy progress every {@link #EVERY_SECONDS} seconds while a sync copies: tables done, rows and
 * bytes copied, the rate and, from the source's sizes, an estimated time left.
 */
final class CopyReporter {
    static final long EVERY_SECONDS = 5;

    private final SyncEngine engine;
    private final PrintWriter err;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;

    CopyReporter(SyncEngine engine, PrintWriter err) {
        this.engine = engine;
        this.err = err;
        this.thread = new Thread(this::loop, "pgferry-progress");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stop.countDown();
    }

    private void loop() {
        long start = System.nanoTime();
        try {
            while (!stop.await(EVERY_SECONDS, TimeUnit.SECONDS)) {
                CopyProgress p = engine.copyProgress();
                if (p == null || p.tablesDone() == p.tables().size()) {
                    continue;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double rate = p.bytes() / Math.max(seconds, 0.001);
                long left = p.estimatedBytes() > p.bytes()
                        ? (long) ((p.estimatedBytes() - p.bytes()) / Math.max(rate, 1))
                        : 0;
                err.printf(
                        Locale.ROOT,
                        "pgferry: copy %d/%d tables, %,d rows, %,d MB, %.1f MB/s, about %d s left%n",
                        p.tablesDone(),
                        p.tables().size(),
                        p.rows(),
                        p.bytes() >> 20,
                        rate / (1 << 20),
                        left);
                err.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
