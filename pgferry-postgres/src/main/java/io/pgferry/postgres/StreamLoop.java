package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.assembly.AckTracker;
import io.pgferry.core.assembly.MemoryBudget;
import io.pgferry.core.assembly.SpillStats;
import io.pgferry.core.assembly.TransactionAssembler;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import io.pgferry.core.pgoutput.ParserOptions;
import io.pgferry.postgres.admin.SlotLostException;
import io.pgferry.postgres.catalog.CatalogTypes;
import io.pgferry.postgres.connect.Connections;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work behind a {@link ChangeStream}: start-up checks, the optional snapshot, then the receive loop with
 * checkpointing, keepalive-driven slot advance, heartbeats and reconnects. Everything but {@link #requestStop()}
 * runs on one thread.
 */
final class StreamLoop {
    private static final Logger log = LoggerFactory.getLogger(StreamLoop.class);
    /** How often {@link TransactionHandler#onIdle()} is called again while the stream stays idle. */
    static final Duration IDLE_REPEAT = Duration.ofMillis(100);

    /** How often a wait for the handler's releases looks whether a stop was requested. */
    static final Duration RELEASE_WAIT = Duration.ofMillis(100);

    private final StreamConfig config;
    private final HandlerCalls handler;
    private final Consumer<ChangeStream.State> state;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final MemoryBudget budget;
    private final Heartbeats heartbeats;
    private final CommitTimes commitTimes = new CommitTimes();
    private volatile long connectionErrors;
    private volatile long handlerErrors;
    private final SpillStats spill = new SpillStats();
    private final CatalogTypes types = new CatalogTypes();

    private volatile boolean stopRequested;
    /** Retries after the handler failed retriably; a delivery that succeeds resets it. */
    private final Backoff handlerRetries = new Backoff();

    private AckTracker acks;
    private Connection sql;
    private ReplicationSession session;
    /** What start-up decided (its connections move to {@link #sql} and {@link #session}, which reconnects replace). */
    private StreamStartup.Started started;

    private Lsn untilLsn;
    private final SavedPosition position;
    private long lastActivityNanos;
    /**
     * End of the last transaction handed to the handler (heartbeats are not). Until the handler acknowledged it, the
     * stream acknowledges nothing on its own: an acknowledgement covers every transaction before it.
     */
    private Lsn handedEnd = Lsn.INVALID;

    private volatile long transactions;
    private volatile long messages;
    private volatile long bytes;
    private volatile long reconnects;
    private TransactionAssembler assembler;

    StreamLoop(StreamConfig config, TransactionHandler handler, Consumer<ChangeStream.State> state) {
        this.config = config;
        this.handler = new HandlerCalls(handler);
        this.state = state;
        this.budget = new MemoryBudget(config.memoryLimitBytes());
        this.heartbeats = new Heartbeats(config.heartbeatInterval());
        this.position = new SavedPosition(config, this.handler);
    }

    /** Start-up on the caller's thread: every check, then creation of what is missing. */
    void prepare() {
        started = StreamStartup.run(config, handler, types);
        sql = started.sql();
        session = started.session();
        untilLsn = started.untilLsn();
        position.startAt(started.start(), started.fingerprint());
        acks = new AckTracker(started.start());
    }

    /** The stream thread: snapshot if one was exported, then receive until stopped. */
    void run() throws Exception {
        Lsn skip = acks.acked();
        assembler = new TransactionAssembler(
                new ParserOptions(started.protocol(), false),
                types,
                budget,
                config.spillDirectory(),
                spill,
                skip,
                this::deliverStreamed,
                acks::ack,
                relation -> {
                    try {
                        types.load(relation);
                    } catch (SQLException e) {
                        throw Connections.classify(e, config.source());
                    }
                },
                handler.preparer());
        try {
            ReplicationSession.CreatedSlot createdSlot = started.createdSlot();
            Lsn copyAt = createdSlot != null ? createdSlot.consistentPoint() : started.resumeCopyAt();
            if (config.initialCopy() != null && copyAt != null) {
                state.accept(ChangeStream.State.SNAPSHOTTING);
                config.initialCopy()
                        .copy(
                                createdSlot == null ? null : createdSlot.snapshotName(),
                                copyAt,
                                started.plan().tables());
                if (config.untilCaughtUp()) {
                    // Caught up means with the source as it is once the copy is done: a copier that replays the
                    // changes made while it ran is exact only past a position it read at its end.
                    untilLsn = Lsn.max(untilLsn, StartupChecks.currentWalLsn(sql));
                }
            } else if (createdSlot != null && createdSlot.snapshotName() != null) {
                state.accept(ChangeStream.State.SNAPSHOTTING);
                snapshot();
            }
            if (handler.appends()) {
                // The output's length at the start position (after the snapshot rows, if any), before anything more
                // is written: without it, a run killed before its first checkpoint would leave output that the next
                // run cannot tell from what was there before.
                position.save(assembler.confirmable(acks.acked()));
            }
            receiveWithReconnects();
            // A stop may come while the handler holds written but unacknowledged transactions (it acknowledges
            // in batches); give it the chance to make them durable so the next run does not repeat them.
            if (assembler.isBetweenTransactions()) {
                idleBeforeStopping();
            }
        } finally {
            try {
                checkpoint(true);
            } catch (RuntimeException | SQLException e) {
                log.warn(
                        "final checkpoint failed: {}",
                        Connections.oneLine(config.source().maskSecrets(e.getMessage())));
            }
            closeAll();
            if (assembler != null) {
                assembler.reset();
            }
        }
    }

    /**
     * The last {@code onIdle} of a stream that is ending. A handler that reports a retriable failure then (one it met
     * applying earlier transactions, reported at its next call) is not retried: stopping loses nothing, as the next
     * start delivers again every transaction not acknowledged.
     */
    private void idleBeforeStopping() {
        try {
            handler.onIdle();
        } catch (PgFerryException e) {
            if (!stopRequested || !e.isRetriable() || !handler.isFailure(e)) {
                throw e;
            }
            log.warn(
                    "stopped while the handler was to be retried ({}); the transactions it had not acknowledged are"
                            + " delivered again at the next start",
                    e.getMessage());
        }
    }

    private void snapshot() throws SQLException {
        ReplicationSession.CreatedSlot createdSlot = started.createdSlot();
        Lsn point = createdSlot.consistentPoint();
        try (Connection c = Connections.open(config.source())) {
            new SnapshotReader(c, types, () -> stopRequested)
                    .read(createdSlot.snapshotName(), started.plan().tables(), point, this::deliver, acks::ack, types);
        } catch (SnapshotReader.SnapshotReadException e) {
            throw Connections.classify(e.getCause(), config.source());
        }
        log.info("snapshot of {} tables delivered", started.plan().tables().size());
    }

    private void receiveWithReconnects() throws Exception {
        Backoff retries = new Backoff();
        boolean first = true;
        while (!stopRequested) {
            try {
                if (!first) {
                    reconnect();
                }
                first = false;
                startStreaming();
                retries.succeeded();
                if (receive()) {
                    return;
                }
            } catch (SQLException | PgFerryException e) {
                if (e instanceof PgFerryException handlerFailed && handler.isFailure(e)) {
                    // Not a connection problem: the connection is fine and its backoff is not the handler's.
                    if (!handlerFailed.isRetriable()) {
                        throw handlerFailed;
                    }
                    if (stopRequested) {
                        return; // a stop asked for while a retry was due ends the stream quietly
                    }
                    if (retryAfterHandlerFailure(handlerFailed)) {
                        return;
                    }
                    continue;
                }
                boolean retriable =
                        e instanceof SQLException se ? Retry.isTransient(se) : ((PgFerryException) e).isRetriable();
                if (!retriable) {
                    throw e instanceof SQLException se ? classify(se) : (PgFerryException) e;
                }
                if (stopRequested) {
                    // The stop wins over the retry: nothing is lost, the next start resumes from what was saved.
                    return;
                }
                if (retries.failedLongerThan(System.nanoTime(), config.maxRetryTime())) {
                    throw PgFerryException.fatal(
                            "gave up reconnecting to " + config.source().endpoints() + " after "
                                    + config.maxRetryTime().toSeconds() + " s: " + e.getMessage(),
                            "check that the server is up and reachable, then run again (progress is saved)");
                }
                connectionErrors++;
                Duration backoff = retries.nextWait();
                // pgjdbc's own messages can span lines or, in theory, quote the connection string.
                log.warn(
                        "connection lost ({}); reconnecting in {} ms",
                        Connections.oneLine(config.source().maskSecrets(e.getMessage())),
                        backoff.toMillis());
                closeAll();
                assembler.reset();
                commitTimes.forgetUnacknowledged();
                state.accept(ChangeStream.State.RECONNECTING);
                if (stopSignal.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        }
    }

    /**
     * After the handler threw a retriable {@link PgFerryException}: drops everything received since the last
     * acknowledged transaction and waits out the handler's backoff; the caller then reconnects, and the server sends
     * every unacknowledged transaction again. The exception's message is logged: by its contract it holds no row
     * values. Gives up once the handler has failed for longer than the retry time without a delivery succeeding.
     *
     * @return true when a stop was requested while waiting
     */
    private boolean retryAfterHandlerFailure(PgFerryException e) throws InterruptedException {
        if (handlerRetries.failedLongerThan(System.nanoTime(), config.maxRetryTime())) {
            throw PgFerryException.fatal(
                    "gave up retrying the handler after "
                            + config.maxRetryTime().toSeconds() + " s: " + e.problem(),
                    e.fix() + ", then run again (progress is saved)",
                    e);
        }
        handlerErrors++;
        Duration wait = handlerRetries.nextWait();
        log.warn(
                "the handler failed ({}); delivering again from the last acknowledged transaction in {} ms",
                e.getMessage(),
                wait.toMillis());
        closeAll();
        assembler.reset();
        commitTimes.forgetUnacknowledged();
        state.accept(ChangeStream.State.RECONNECTING);
        return stopSignal.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * {@code e} as a user reads it. START_REPLICATION on a slot the server invalidated fails with SQLSTATE 55000 and a
     * message that does not say why (PostgreSQL 15: "cannot read from logical replication slot"); the slot's row says.
     * A slot invalidated while streaming meets this too: the server ends the walsender and the stream reconnects.
     */
    private PgFerryException classify(SQLException e) {
        if ("55000".equals(e.getSQLState()) && sql != null) {
            Optional<SlotLostException> lost = SlotLostException.find(sql, config.source(), config.slot());
            if (lost.isPresent()) {
                return lost.get();
            }
        }
        return Connections.classify(e, config.source());
    }

    private void reconnect() throws SQLException {
        reconnects++;
        sql = Connections.open(config.source());
        types.useConnection(sql);
        session = new ReplicationSession(Connections.openReplication(config.source()));
        assembler.skipBefore(acks.acked());
    }

    private void startStreaming() throws SQLException {
        Lsn from = position.resume();
        session.start(config.slot(), from, config, started.protocol());
        state.accept(ChangeStream.State.STREAMING);
        log.info("streaming slot {} from {} (pgoutput protocol {})", config.slot(), from, started.protocol());
        lastActivityNanos = System.nanoTime();
    }

    /** Receives until stopped (false) or until the end position was reached and acknowledged (true). */
    private long lastIdleNanos;

    private boolean receive() throws Exception {
        boolean idle = false;
        while (!stopRequested) {
            ByteBuffer b = session.readPending();
            long now = System.nanoTime();
            if (b != null) {
                idle = false;
                messages++;
                bytes += b.remaining();
                lastActivityNanos = now;
                assembler.accept(b.array(), b.arrayOffset() + b.position(), b.remaining(), session.lastReceived());
                if (position.due(now)) {
                    if (!config.handlerOwnsPosition()) {
                        // Also while busy: a source that writes only tables outside the publication without pause
                        // would otherwise keep the slot where it is.
                        advancePastUnpublished();
                    }
                    checkpoint(false);
                }
                continue;
            }
            if (!idle || now - lastIdleNanos >= IDLE_REPEAT.toNanos()) {
                // Again now and then while idle: a handler that applies on a thread of its own reports a failure
                // from its next call, and a quiet source may make no other.
                handler.onIdle();
                idle = true;
                lastIdleNanos = now;
            }
            if (!config.handlerOwnsPosition()) {
                advancePastUnpublished();
            }
            checkpoint(false);
            heartbeats.beatIfQuiet(sql, now, lastActivityNanos);
            if (untilLsn.isValid()) {
                if (caughtUp()) {
                    checkpoint(true);
                    return true;
                }
                heartbeats.nudge(sql, now, session.lastReceived(), untilLsn);
            }
        }
        return false;
    }

    /**
     * With no transaction open, none pending and everything delivered acknowledged, all WAL the server has read is
     * accounted for: the acknowledged position may move to the server's, which lets the slot advance while the
     * published tables are idle or only other tables are written.
     */
    private void advancePastUnpublished() {
        Lsn acked = acks.acked();
        if (assembler.isBetweenTransactions() && !assembler.hasPendingPrepared() && !acked.isBefore(handedEnd)) {
            Lsn server = session.lastReceived();
            if (server.isAfter(acked)) {
                acks.ack(server);
                assembler.skipBefore(server);
            }
        }
    }

    private boolean caughtUp() {
        return assembler.isBetweenTransactions()
                && !session.lastReceived().isBefore(untilLsn)
                && !acks.acked().isBefore(handedEnd);
    }

    /** Saves the acknowledged position, capped by pending prepared transactions, and confirms what is saved. */
    private void checkpoint(boolean force) throws SQLException {
        Lsn target = assembler == null ? acks.acked() : assembler.confirmable(acks.acked());
        position.checkpoint(target, session, force);
    }

    /**
     * A transaction from the slot, once transactions the handler retained hold less than the memory limit: until they
     * do, the stream waits for releases rather than let them pile up. If a stop is requested meanwhile, the
     * transaction is not delivered; it is not acknowledged either, so the next run delivers it.
     */
    private void deliverStreamed(Transaction tx) {
        try {
            while (!budget.awaitRetainedBelowLimit(RELEASE_WAIT.toNanos())) {
                if (stopRequested) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (tx.kind() == Transaction.Kind.MESSAGE) {
            Iterator<ChangeEvent> it = tx.iterator();
            ChangeEvent.Message m = (ChangeEvent.Message) it.next();
            if (Heartbeats.PREFIX.equals(m.prefix()) && !config.handlerOwnsPosition()) {
                // Not acknowledged here: that would also acknowledge transactions the handler has not. The idle
                // advance moves past heartbeats once the handler has acknowledged everything handed to it.
                return;
            }
            Transaction message = new Transaction(
                    tx.xid(),
                    tx.commitLsn(),
                    tx.endLsn(),
                    tx.commitTime(),
                    tx.origin(),
                    tx.kind(),
                    List.<ChangeEvent>of(m).iterator(),
                    acks::ack);
            // The handler gets this one: it ends as every transaction does (the event is on the heap, nothing to
            // free).
            Transaction.Delivery delivery = new Transaction.Delivery(message, () -> {}, () -> {});
            try {
                deliver(message);
            } finally {
                delivery.end();
            }
            return;
        }
        deliver(tx);
    }

    private void deliver(Transaction tx) {
        transactions++;
        if (tx.endLsn().isValid()) {
            handedEnd = Lsn.max(handedEnd, tx.endLsn());
        }
        commitTimes.acknowledged(acks.acked());
        commitTimes.handed(tx.endLsn(), tx.commitTime());
        handler.onTransaction(tx);
        handlerRetries.succeeded();
    }

    /** The calls into the handler, which tell its failures from the stream's own. */
    HandlerCalls handlerCalls() {
        return handler;
    }

    void requestStop() {
        stopRequested = true;
        stopSignal.countDown();
    }

    Lsn acknowledged() {
        return acks == null ? Lsn.INVALID : acks.acked();
    }

    StreamStats stats() {
        if (acks != null) {
            commitTimes.acknowledged(acks.acked());
        }
        return new StreamStats(
                transactions,
                messages,
                bytes,
                acknowledged(),
                position.confirmed(),
                spill.files(),
                spill.rawBytes(),
                spill.fileBytes(),
                budget.peakInUseBytes(),
                reconnects,
                budget.inUseBytes(),
                commitTimes.lastAcknowledged(),
                commitTimes.oldestUnacknowledged(),
                connectionErrors,
                handlerErrors);
    }

    private void closeAll() {
        if (session != null) {
            session.close();
            session = null;
        }
        if (sql != null) {
            try {
                sql.close();
            } catch (SQLException e) {
                // Abandoning the connection; the server cleans up its side.
            }
            sql = null;
        }
    }
}
