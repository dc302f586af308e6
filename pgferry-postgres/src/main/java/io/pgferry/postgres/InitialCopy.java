package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import io.pgferry.postgres.catalog.TableName;
import java.util.List;

/**
 * Copies the rows that exist when a stream's slot is created, in place of delivering them as
 * {@link io.pgferry.core.event.ChangeEvent.Read} events: a bulk copier that imports the slot's exported snapshot on
 * connections of its own (see the PostgreSQL docs, "Exported Snapshots" and "Streaming Replication Protocol",
 * CREATE_REPLICATION_SLOT).
 *
 * <p><b>Contract.</b> Called once, on the stream's thread, right after the stream created its slot and before it
 * streams anything. When {@link #needsSnapshot()}, the slot is created with an exported snapshot, which stays
 * importable until this method returns (the replication connection that exported it runs no other command
 * meanwhile); otherwise with none, and {@code snapshotName} is null: a copier that reads the rows in transactions of
 * its own must replay the changes streamed from {@code consistentPoint} so that they converge on whatever it read.
 * A {@link #resumable()} copier is also called when the slot exists and the checkpoint store holds no position (an
 * earlier run created the slot and stopped during its copy), with the slot's confirmed position, which is still
 * where that copy began, since nothing is confirmed before a copy returns. When it returns normally, every row the snapshot
 * holds must be durable at the destination, and the destination's record of its position must be at least {@code
 * consistentPoint}: streaming starts there, and a transaction committed after the snapshot is never in it. What it
 * throws stops the stream; the slot is left as it is, for the caller to drop or reuse.
 */
@FunctionalInterface
public interface InitialCopy {
    /**
     * @param snapshotName the exported snapshot, for {@code SET TRANSACTION SNAPSHOT}; null when none is needed
     * @param consistentPoint the slot's consistent point: the first change streamed is after it
     * @param tables the published tables, as the publication lists them
     */
    void copy(String snapshotName, Lsn consistentPoint, List<TableName> tables) throws Exception;

    /**
     * Whether the slot must export a snapshot for this copier. An exported snapshot holds back vacuum on the source
     * while the copy runs; a copier that does without one says so here.
     */
    default boolean needsSnapshot() {
        return true;
    }

    /**
     * Whether this copier resumes a copy an earlier run left unfinished: it keeps its own record of what is done,
     * needs no snapshot, and converges by replay. Such a copier is called again on a slot that exists.
     */
    default boolean resumable() {
        return false;
    }
}
