package io.pgferry.postgres.admin;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import java.sql.Connection;
import java.util.Optional;

/**
 * The server invalidated the slot a stream reads (PostgreSQL docs, "Replication Slots" and "pg_replication_slots"):
 * it fell more than {@code max_slot_wal_keep_size} behind and the WAL it needed was removed, or, on a standby, it
 * conflicted with recovery, or (PostgreSQL 18) it was idle longer than {@code idle_replication_slot_timeout}. The
 * changes after its confirmed position can no longer be read from it: no retry helps, and the consumer has to start
 * over from a new slot and copy what it missed. Fatal. A caller that knows how its users start over (a sync's own
 * removal, say) catches this type to say so.
 */
public final class SlotLostException extends PgFerryException {
    private static final long serialVersionUID = 1L;

    private final String slot;
    private final transient Lsn confirmed;

    private SlotLostException(String slot, Lsn confirmed, String reason) {
        super(
                "replication slot " + slot + " was invalidated by the server (" + reason + "): the changes after "
                        + (confirmed == null ? "its position" : confirmed) + " can no longer be read from it",
                "drop the slot (" + SlotAdmin.dropSql(slot) + "), start from a new one and copy the tables again;"
                        + " to keep it from happening, keep the consumer running or raise max_slot_wal_keep_size",
                false,
                null);
        this.slot = slot;
        this.confirmed = confirmed;
    }

    /** The error for {@code slot}, which {@linkplain SlotAdmin.SlotInfo#invalidated() is invalidated}. */
    public static SlotLostException of(SlotAdmin.SlotInfo slot) {
        return new SlotLostException(slot.slotName(), slot.confirmedFlushLsn(), describe(slot.invalidation()));
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

    /** The slot's name. */
    public String slot() {
        return slot;
    }

    /** Where the slot stood: what was confirmed from it; null if the server no longer says. */
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
