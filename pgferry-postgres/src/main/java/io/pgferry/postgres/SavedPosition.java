package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import io.pgferry.core.checkpoint.Checkpoint;
import java.sql.SQLException;
import java.util.OptionalLong;

/**
 * The stream's position as saved to its checkpoint store and as confirmed to the server. Invariant: confirmed is
 * never past saved. The server may recycle WAL before a confirmed position (PostgreSQL docs, "Streaming Replication
 * Protocol", Standby status update), so a position is confirmed only once the checkpoint covering it is saved, and
 * the checkpoint only covers what the handler acknowledged. Written on the stream thread; {@link #confirmed()} may be
 * read from any.
 */
final class SavedPosition {
    private final StreamConfig config;
    private final HandlerCalls handler;
    private String fingerprint;
    private Lsn saved = Lsn.INVALID;
    private volatile Lsn confirmed = Lsn.INVALID;
    private long lastSaveNanos;

    SavedPosition(StreamConfig config, HandlerCalls handler) {
        this.config = config;
        this.handler = handler;
    }

    /** Starts from {@code start}, what the checkpoint (or the slot's creation) gave, for the source {@code fingerprint}. */
    void startAt(Lsn start, String fingerprint) {
        this.saved = start;
        this.fingerprint = fingerprint;
    }

    /** Where streaming resumes: the last saved position, which the server is told is confirmed as it starts. */
    Lsn resume() {
        confirmed = saved;
        return saved;
    }

    Lsn confirmed() {
        return confirmed;
    }

    /** Whether the checkpoint interval has passed since the last save. */
    boolean due(long nowNanos) {
        return nowNanos - lastSaveNanos >= config.checkpointInterval().toNanos();
    }

    /**
     * Saves {@code target} when it moved and the interval passed (or {@code force}), then confirms what is saved to
     * the server through {@code session} when there is one. Saving always comes first.
     */
    void checkpoint(Lsn target, ReplicationSession session, boolean force) throws SQLException {
        long now = System.nanoTime();
        if (target.isAfter(saved) && (force || due(now))) {
            save(target);
        }
        if (session != null && saved.isAfter(confirmed)) {
            session.confirm(saved);
            confirmed = saved;
        }
    }

    /**
     * Saves {@code target} now, even where it did not move, with the handler's durable output length there when it
     * has one.
     */
    void save(Lsn target) {
        long now = System.nanoTime();
        Checkpoint checkpoint = new Checkpoint(target, fingerprint);
        OptionalLong length = handler.durableLength(target);
        if (length.isPresent()) {
            checkpoint = checkpoint.withOutputLength(length.getAsLong());
        }
        config.checkpointStore().save(checkpoint);
        saved = Lsn.max(saved, target);
        lastSaveNanos = now;
    }
}
