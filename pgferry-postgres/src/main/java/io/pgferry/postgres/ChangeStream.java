package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.postgres.connect.Connections;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the committed changes of a PostgreSQL publication to a {@link TransactionHandler}, whole transactions in
 * commit order, resuming where the handler's acknowledgements left off.
 *
 * <pre>{@code
 * StreamConfig config = StreamConfig.builder()
 *         .source("postgresql://replicator@db:5432/shop")
 *         .publication("shop_pub").slot("shop_slot").tables("public.orders")
 *         .build();
 * try (ChangeStream stream = ChangeStream.create(config, tx -> {
 *     for (ChangeEvent change : tx) { ... }
 *     tx.ack();                       // once what tx covers is durable downstream
 * })) {
 *     stream.start();
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> {@link #start()} checks the configuration against the server and creates a missing
 * publication and slot on the caller's thread, so bad input fails there, then streams on a thread of its own, which
 * also runs the handler. {@link #stop()}, {@link #state()} and {@link #lastError()} may be called from any thread.
 *
 * <p><b>LSN contract.</b> The position confirmed to the server (the slot's {@code confirmed_flush_lsn}) never passes
 * what the handler acknowledged and the {@link io.pgferry.core.checkpoint.CheckpointStore} saved; a pending prepared
 * transaction holds it back further. After a crash or a lost connection, streaming resumes from the saved position
 * and transactions acknowledged before it are not delivered again.
 */
public final class ChangeStream implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeStream.class);

    /**
     * The prefix of the stream's heartbeat messages, which a handler sees only with {@link
     * StreamConfig.Builder#handlerOwnsPosition}.
     */
    public static final String HEARTBEAT_PREFIX = Heartbeats.PREFIX;

    /** Lifecycle of a stream. */
    public enum State {
        STOPPED,
        STARTING,
        SNAPSHOTTING,
        STREAMING,
        /** The connection was lost; waiting to connect again (the stream resumes by itself). */
        RECONNECTING,
        STOPPING
    }

    private final StreamConfig config;
    private final TransactionHandler handler;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile State state = State.STOPPED;
    private volatile Throwable lastError;
    private volatile StreamLoop loop;
    private volatile Thread thread;
    /** Set by {@link #stop()}; read by {@link #start()} once its loop is there, for a stop that came before it. */
    private volatile boolean stopRequested;

    private ChangeStream(StreamConfig config, TransactionHandler handler) {
        this.config = config;
        this.handler = handler;
    }

    public static ChangeStream create(StreamConfig config, TransactionHandler handler) {
        return new ChangeStream(config, handler);
    }

    /**
     * Validates against the server, creates what is missing, then streams on a new thread.
     *
     * @throws PgFerryException for bad input (nothing is left half-created) or an unreachable server
     * @throws IllegalStateException if already started
     */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("a ChangeStream can be started once");
        }
        state = State.STARTING;
        StreamLoop l = new StreamLoop(config, handler, this::setState);
        try {
            l.prepare();
        } catch (RuntimeException e) {
            state = State.STOPPED;
            lastError = e;
            finished.countDown();
            throw e;
        }
        loop = l;
        if (stopRequested) {
            // A stop while this thread prepared found no loop to ask: the loop ends at once, saving the checkpoint.
            l.requestStop();
        }
        thread = new Thread(this::runLoop, "pgferry-stream-" + config.slot());
        thread.start();
    }

    private void runLoop() {
        try {
            loop.run();
        } catch (Throwable e) {
            lastError = e;
            log.error("stream stopped: {}", describe(e));
        } finally {
            state = State.STOPPED;
            finished.countDown();
        }
    }

    /**
     * The error for the log, on one line. A handler's exception may quote the row it failed on (a sink's "Key
     * (id)=(...) already exists"), and row values are never logged: of those only the class is, and the caller gets
     * the exception itself from {@link #lastError()} or {@link #run()}. A {@link PgFerryException} promises a message
     * without row values, so the handler's is logged.
     */
    private String describe(Throwable e) {
        StreamLoop l = loop;
        if (l != null && l.handlerCalls().isFailure(e)) {
            if (e instanceof PgFerryException p) {
                // Either the handler's own, or the stream's giving up on it, which quotes the handler's.
                return l.handlerCalls().isFailureItself(p) ? "the handler failed: " + p.getMessage() : p.getMessage();
            }
            Throwable thrown = e instanceof HandlerCalls.HandlerException ? e.getCause() : e;
            return "the handler threw " + thrown.getClass().getName()
                    + " (its message is not logged as it may hold row values; see lastError())";
        }
        return Connections.oneLine(config.source().maskSecrets(e.getMessage()));
    }

    /** Starts, then waits on this thread until the stream ends; rethrows the error that ended it. */
    public void run() {
        start();
        try {
            finished.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
        }
        Throwable e = lastError;
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new PgFerryException(e.getMessage(), "see the cause", false, e);
        }
    }

    /**
     * Asks the stream to stop after the current transaction, saves the checkpoint and waits for it to end. A stop
     * before the stream streams (before {@link #start()}, or while it validates and creates what is missing) is kept:
     * the stream ends as soon as it has started, streaming nothing, and this returns without waiting. Regression
     * (issue 5): such a stop was lost, and a sync asked to stop while its stream started streamed on.
     */
    public void stop() {
        stopRequested = true;
        StreamLoop l = loop;
        if (l != null) {
            state = State.STOPPING;
            l.requestStop();
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits up to {@code timeout} for the stream to end; true if it ended. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public State state() {
        return state;
    }

    /** The error that stopped the stream, or null. */
    public Throwable lastError() {
        return lastError;
    }

    /** Counters of the running stream (zeros before start). */
    public StreamStats stats() {
        StreamLoop l = loop;
        return l == null ? StreamStats.EMPTY : l.stats();
    }

    /** The highest position the handler acknowledged. */
    public Lsn acknowledgedLsn() {
        StreamLoop l = loop;
        return l == null ? Lsn.INVALID : l.acknowledged();
    }

    private void setState(State s) {
        if (state != State.STOPPING || s == State.STOPPED) {
            state = s;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
