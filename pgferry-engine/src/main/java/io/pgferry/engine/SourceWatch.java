package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.sink.SourceState;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While a sync runs, records every {@link #INTERVAL} what it sees of the source (its WAL position, the slot's status,
 * confirmed position and retained WAL) at the destination ({@link Destination}: a SQL catalog's {@code source_state},
 * a Kafka sync's table-state topic), so that a status read from the destination alone reports the lag and the slot,
 * with the time they were seen. It also records when the
 * source had written everything the sync's position then covered ({@link WalClock}, from its WAL positions seen
 * over the last hour): the lag in seconds counts from there, and stays small while the synced tables are idle and
 * the rest of the source writes on.
 *
 * <p>The record is informative and off the data path: it runs on a daemon thread of its own with connections of its
 * own, opened on first use and again after a failure; a failure to observe or record is logged at debug level and
 * tried again at the next tick. {@link #close()} stops the thread and closes the connections. At each look it also
 * has its {@link PublicationWatch}, if any, look at the sync's publication.
 */
final class SourceWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SourceWatch.class);

    /** How often the source is looked at: a status is at most this stale while the sync runs. */
    static final Duration INTERVAL = Duration.ofSeconds(5);

    /**
     * Where the view of the source is recorded, and the sync's position there. Used by the watch's thread only;
     * {@link #reset()} drops what a failure may have broken, to be opened again on next use.
     */
    interface Destination {
        /** The position the destination holds for the sync, if any. */
        Optional<Lsn> position() throws Exception;

        void save(SourceState seen) throws Exception;

        void reset();
    }

    private final Dsn source;
    private final String slot;
    private final Destination destination;
    private final PublicationWatch publication;
    private final ScheduledExecutorService timer;
    private final WalClock clock = new WalClock();
    private Connection sourceConnection;
    /** The lag found at the last look; null before one. */
    private volatile SyncLag lag;

    private SourceWatch(Dsn source, String slot, Destination destination, PublicationWatch publication) {
        this.source = source;
        this.slot = slot;
        this.destination = destination;
        this.publication = publication;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgferry-source-watch-" + slot);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts recording at once, then every {@link #INTERVAL}; {@code publication} may be null (none watched). */
    static SourceWatch start(Dsn source, String slot, Destination destination, PublicationWatch publication) {
        SourceWatch w = new SourceWatch(source, slot, destination, publication);
        w.timer.scheduleWithFixedDelay(w::tick, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return w;
    }

    private void tick() {
        try {
            if (sourceConnection == null) {
                sourceConnection = Connections.open(source);
            }
            if (publication != null) {
                publication.look(sourceConnection);
            }
            SyncStatus.SourceView view = SyncStatus.observe(sourceConnection, source, slot);
            Instant now = Instant.now();
            clock.observe(view.walPosition(), now);
            Optional<Lsn> position = destination.position();
            Instant caughtUpAt = position.flatMap(clock::coveredUntil).orElse(null);
            position.ifPresent(
                    p -> lag = new SyncLag(Math.max(0, view.walPosition().value() - p.value()), caughtUpAt));
            SyncStatus.SlotState s = view.slot();
            destination.save(new SourceState(
                    view.walPosition(),
                    !s.exists() ? "missing" : s.active() ? "active" : "inactive",
                    s.confirmedFlush(),
                    s.retainedBytes(),
                    now,
                    caughtUpAt));
        } catch (SQLException e) {
            log.debug("could not record the source's state for status: SQLSTATE {}", e.getSQLState());
            if (JdbcErrors.isRetriable(e)) {
                // A lost connection: open both again next time. Other errors (a catalog without the record's table)
                // would fail on new connections too, so the ones open are kept rather than reopened every tick.
                closeConnections();
            }
        } catch (Exception e) {
            log.debug(
                    "could not record the source's state for status: {}",
                    e.getClass().getName());
            closeConnections();
        }
    }

    /** The lag found at the last look; empty before one, or while the destination holds no position. */
    Optional<SyncLag> lag() {
        return Optional.ofNullable(lag);
    }

    private void closeConnections() {
        if (sourceConnection != null) {
            try {
                sourceConnection.close();
            } catch (SQLException e) {
                log.debug("close failed; the connection is abandoned");
            }
        }
        sourceConnection = null;
        destination.reset();
    }

    /**
     * Stops the timer and records the source once more, on this thread: for a run that ended normally, so that its
     * last record shows the source as the sync left it (a run until caught up may end before the first tick).
     */
    void finish() {
        if (stopTimer()) {
            tick();
        }
        closeConnections();
    }

    @Override
    public void close() {
        if (stopTimer()) {
            closeConnections();
        }
    }

    /** Whether the timer's thread has ended, so that its connections may be used or closed here. */
    private boolean stopTimer() {
        timer.shutdownNow();
        try {
            if (timer.awaitTermination(10, TimeUnit.SECONDS)) {
                return true;
            }
            log.debug("the source watch did not stop within 10 s; its connections are abandoned");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }
}
