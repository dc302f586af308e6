package io.pgferry.cli.ops;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * How a long-running command answers signals. The first SIGTERM or SIGINT asks the command to stop: it finishes the
 * transaction in hand, flushes, saves its position and returns, so the process exits 0. A second one exits at once
 * (exit 130 or 143, like a shell); nothing is lost, because no position was confirmed past what is durable. If the
 * stop takes longer than {@link #STOP_LIMIT}, the process exits {@link #GAVE_UP} for the same reason. SIGHUP runs the command's
 * reload action and says what it reloaded.
 *
 * <p>A signal ignored when the process started stays ignored (the JVM installs no handler for it, as shells do): a
 * background job of a non-interactive shell starts with SIGINT ignored and then answers SIGTERM only.
 *
 * <p>These replace the JVM's own handlers for as long as the instance is open, which shutdown hooks cannot do: a
 * JVM that runs its hooks ignores every later signal and exits 143 at the end.
 */
@SuppressForbidden(
        reason = "sun.misc.Signal is exported by jdk.unsupported for exactly this (JEP 260) and has no replacement")
public final class Signals implements AutoCloseable {
    /**
     * The exit code when a stop takes too long: 3, a runtime failure, as {@code ExitCodes.RUNTIME} of the command
     * line (a test holds the two equal; this package sits below the commands and does not read theirs).
     */
    public static final int GAVE_UP = 3;

    /** How long a stop may take before the process gives up waiting and exits. */
    public static final Duration STOP_LIMIT = Duration.ofSeconds(60);

    private final Runnable stop;
    private final PrintWriter err;
    private final AtomicInteger received = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    /** The handlers replaced, to put back on close. */
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

    private Signals(Runnable stop, PrintWriter err) {
        this.stop = stop;
        this.err = err;
    }

    /**
     * Installs the handlers: {@code stop} (called once, on its own thread; it may block until the command ended) on
     * SIGTERM and SIGINT, and {@code reload} on SIGHUP (null: the command says it has nothing to reload).
     * {@link #close} puts the JVM's back.
     *
     * @param reload returns one line saying what it reloaded, printed on {@code err}
     */
    public static Signals install(Runnable stop, java.util.function.Supplier<String> reload, PrintWriter err) {
        Signals s = new Signals(stop, err);
        s.handle("TERM", s::stopSignal);
        s.handle("INT", s::stopSignal);
        // Always handled: the JVM's default for SIGHUP is to exit, which would stop a service on a log rotation.
        s.handle("HUP", sig -> {
            String what;
            try {
                what = reload == null
                        ? "nothing to reload: this command reads its configuration at start; restart it to change"
                                + " the configuration"
                        : reload.get();
            } catch (RuntimeException e) {
                what = "reload failed: " + e.getMessage() + "; the previous configuration stays in force";
            }
            s.say("SIGHUP: " + what);
        });
        return s;
    }

    private void handle(String name, SignalHandler handler) {
        Signal signal = new Signal(name);
        previous.put(signal, Signal.handle(signal, handler));
    }

    private void stopSignal(Signal signal) {
        int code = 128 + signal.getNumber();
        if (received.getAndIncrement() > 0) {
            say("second SIG" + signal.getName()
                    + ": exiting now; the position saved last is where the next run starts");
            Runtime.getRuntime().halt(code);
        }
        say("SIG" + signal.getName() + ": finishing the transaction in hand and saving the position;"
                + " a second signal exits at once");
        Thread stopper = new Thread(stop, "pgferry-stop");
        stopper.setDaemon(true);
        stopper.start();
        Thread watchdog = new Thread(
                () -> {
                    try {
                        if (!closed.await(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                            say("still stopping after " + STOP_LIMIT.toSeconds()
                                    + " s: exiting; the position saved last is where the next run starts");
                            Runtime.getRuntime().halt(GAVE_UP);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "pgferry-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Whether a stop signal arrived. */
    public boolean stopRequested() {
        return received.get() > 0;
    }

    private void say(String line) {
        err.printf(Locale.ROOT, "pgferry: %s%n", line);
        err.flush();
    }

    @Override
    public void close() {
        closed.countDown();
        previous.forEach(Signal::handle);
    }
}
