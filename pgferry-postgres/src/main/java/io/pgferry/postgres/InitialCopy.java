package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import java.util.List;

/**
 * Copies the rows that exist when a stream's slot is created, in place of delivering them as
 * {@link io.pgferry.core.event.ChangeEvent.Read} events: a bulk copier that imports the slot's exported snapshot on
 * connections of its own (see the PostgreSQL docs, "Exported Snapshots" and "Streaming Replication Protocol",
 * CREATE_REPLICATION_SLOT).
 *
 * <p><b>Contract.</b> Called once, on the stream's thread, right after the stream created its slot with an exported
 * snapshot and before it streams anything. The snapshot stays importable until this method returns (the replication
 * connection that exported it runs no other command meanwhile). When it returns normally, every row the snapshot
 * holds must be durable at the destination, and the destination's record of its position must be at least {@code
 * consistentPoint}: streaming starts there, and a transaction committed after the snapshot is never in it. What it
 * throws stops the stream; the slot is left as it is, for the caller to drop or reuse.
 */
@FunctionalInterface
public interface InitialCopy {
    /**
     * @param snapshotName the exported snapshot, for {@code SET TRANSACTION SNAPSHOT}
     * @param consistentPoint the slot's consistent point: the first change streamed is after it
     * @param tables the published tables, as the publication lists them
     */
    void copy(String snapshotName, Lsn consistentPoint, List<TableName> tables) throws Exception;
}
