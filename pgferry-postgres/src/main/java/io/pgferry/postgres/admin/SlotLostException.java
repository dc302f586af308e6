package io.pgferry.postgres.admin;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.util.Optional;

/**
 * The slot a stream resumes from is gone, and with it the changes after the stream's position: the server
 * invalidated it (PostgreSQL docs, "Replication Slots" and "pg_replication_slots": it fell more than {@code
 * max_slot_wal_keep_size} behind and the WAL it needed was removed, or, on a standby, it conflicted with recovery, or
 * (PostgreSQL 18) it was idle longer than {@code idle_replication_slot_timeout}), or someone dropped it while a
 * checkpoint still pointed into it. No retry helps: the consumer has to start over from a new slot and copy what it
 * missed. Fatal. A caller that knows how its users start over (a sync's own removal, say) catches this type to say
 * so.
 */
public final class SlotLostException extends PgFerryException {
    private static final long serialVersionUID = 1L;

    private final String slot;
    private final transient Lsn confirmed;
    private final boolean invalidated;

    private SlotLostException(String problem, String fix, String slot, Lsn confirmed, boolean invalidated) {
        super(problem, fix, false, null);
        this.slot = slot;
        this.confirmed = confirmed;
        this.invalidated = invalidated;
    }

    /** The error for {@code slot}, which {@linkplain SlotAdmin.SlotInfo#invalidated() is invalidated}. */
    public static SlotLostException of(SlotAdmin.SlotInfo slot) {
        String name = slot.slotName();
        Lsn at = slot.confirmedFlushLsn();
        return new SlotLostException(
                "replication slot " + name + " was invalidated by the server (" + describe(slot.invalidation())
                        + "): the changes after " + (at == null ? "its position" : at) + " can no longer be read"
                        + " from it",
                "drop the slot (" + SlotAdmin.dropSql(name) + "), start from a new one and copy the tables again; to"
                        + " keep it from happening, keep the consumer running or raise max_slot_wal_keep_size",
                name,
                at,
                true);
    }

    /** The error for slot {@code name}, which does not exist while checkpoint {@code store} is at {@code at}. */
    public static SlotLostException dropped(String name, Lsn at, String store) {
        return new SlotLostException(
                "checkpoint " + store + " is at " + at + " but slot " + name + " does not exist: it was dropped, and"
                        + " the changes after the checkpoint are gone with it",
                "delete the checkpoint to start a new stream (with a snapshot, to copy the existing rows)",
                name,
                at,
                false);
    }

    /**
     * The error for slot {@code name} if the server invalidated it, read on {@code c} (opened from {@code dsn});
     * empty when the slot is usable, missing, or cannot be read.
     */
    public static Optional<SlotLostException> find(Connection c, Dsn dsn, String name) {
        try {
            return new SlotAdmin(c, dsn)
                    .find(name)
                    .filter(SlotAdmin.SlotInfo::invalidated)
                    .map(SlotLostException::of);
        } catch (PgFerryException unreadable) {
            return Optional.empty();
        }
    }

    /** True when the server invalidated the slot, false when it was dropped. */
    public boolean invalidated() {
        return invalidated;
    }

    /** The slot's name. */
    public String slot() {
        return slot;
    }

    /** Where the stream stood: what was confirmed from the slot, or the checkpoint's position; null if unknown. */
    public Lsn confirmed() {
        return confirmed;
    }

    /** The server's reason in words, keeping its own term for a search in its docs. */
    static String describe(String reason) {
        return switch (reason) {
            case "wal_removed" -> "wal_removed: it fell more than max_slot_wal_keep_size behind and the WAL it needed"
                    + " was removed";
            case "rows_removed" -> "rows_removed: catalog rows it needed were removed on the primary";
            case "wal_level_insufficient" -> "wal_level_insufficient: the primary's wal_level is below logical";
            case "idle_timeout" -> "idle_timeout: it was idle longer than idle_replication_slot_timeout";
            case "conflict" -> "the WAL it needed was removed or it conflicted with recovery on this standby";
            default -> reason;
        };
    }
}
