package io.pgferry.cli.sync;

import io.pgferry.engine.SyncEngine;
import io.pgferry.engine.copy.CopyProgress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Shows a running copy: on a terminal as progress bars ({@link CopyBars}), refreshed five times a second; otherwise
 * (a pipe, a file, a service's log) as one line every {@link #EVERY_SECONDS} seconds: tables done, rows and bytes
 * copied, the rate and, from the source's sizes, an estimated time left.
 */
final class CopyReporter {
    static final long EVERY_SECONDS = 5;
    /** The system property in which the launchers say whether standard error is a terminal ({@code [ -t 2 ]}). */
    static final String STDERR_TERMINAL = "pgferry.stderr.terminal";

    private final SyncEngine engine;
    private final PrintWriter err;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private final boolean terminal;

    /** @param terminal draw bars (standard error is a terminal) rather than print lines */
    CopyReporter(SyncEngine engine, PrintWriter err, boolean terminal) {
        this.engine = engine;
        this.err = err;
        this.terminal = terminal;
        this.thread = new Thread(terminal ? this::bars : this::loop, "pgferry-progress");
        thread.setDaemon(true);
    }

    /**
     * Whether to draw bars: standard error is a terminal that can draw them. Java 17 cannot tell whether standard
     * error is a terminal ({@link System#console()} answers for standard input and output, so {@code pgferry sync
     * 2>log} on a terminal drew bars into the log), so the launchers test it and pass the answer in {@link
     * #STDERR_TERMINAL}; without it (the command run inside another program) the console is the best guess.
     *
     * @param property the value of {@link #STDERR_TERMINAL}, or null
     * @param console whether {@link System#console()} is not null
     * @param term the {@code TERM} variable, or null
     */
    static boolean drawsBars(String property, boolean console, String term) {
        if ("dumb".equals(term)) {
            return false;
        }
        return property == null ? console : Boolean.parseBoolean(property.strip());
    }

    void start() {
        thread.start();
    }

    /** Stops reporting; waits for bars to be drawn a last time. */
    void stop() {
        stop.countDown();
        if (terminal) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void bars() {
        CopyBars bars = null;
        try {
            while (!stop.await(200, TimeUnit.MILLISECONDS)) {
                CopyProgress p = engine.copyProgress();
                if (p == null) {
                    continue;
                }
                if (bars == null) {
                    bars = new CopyBars(p);
                }
                bars.update();
                if (p.tablesDone() == p.tables().size()) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (bars != null) {
                bars.close();
            }
        }
    }

    private void loop() {
        try {
            while (!stop.await(EVERY_SECONDS, TimeUnit.SECONDS)) {
                CopyProgress p = engine.copyProgress();
                if (p == null || p.tablesDone() == p.tables().size()) {
                    continue;
                }
                double seconds = p.seconds();
                double rate = p.bytes() / Math.max(seconds, 0.001);
                double estimatedRate = p.estimatedBytesDone() / Math.max(seconds, 0.001);
                long left = (long) ((p.estimatedBytes() - p.estimatedBytesDone()) / Math.max(estimatedRate, 1));
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
