package io.pgferry.kafka.event;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.sink.SourceTransaction;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The Kafka destination's own encoding of changes, for tests of the Connect source connector that compare its records
 * with the destination's bytes (this class is in the encoder's package to reach what it keeps package-private).
 */
public final class JsonEvents {
    /** One record as the destination writes it. */
    public record Json(String topic, byte[] key, byte[] value) {}

    private JsonEvents() {}

    /**
     * The destination's records for the changes of one source transaction.
     *
     * @param metadata whether transaction metadata is on (the records' transaction block, BEGIN and END records)
     */
    public static List<Json> encode(
            List<ChangeEvent> changes,
            long xid,
            Lsn commitLsn,
            Instant commitTime,
            String prefix,
            String db,
            boolean schemas,
            boolean metadata,
            Clock clock) {
        EventRecords events = new EventRecords(new Topics(prefix), new SourceBlock(prefix, db), schemas, true, clock);
        TransactionBlock block = metadata
                ? new TransactionBlock(new SourceTransaction(xid, commitLsn, commitLsn, commitTime, 0), clock.instant())
                : null;
        List<OutRecord> out = new ArrayList<>();
        EventRecords.Origin origin = new EventRecords.Origin(xid, commitTime, block);
        for (ChangeEvent change : changes) {
            events.add(change, origin, out);
        }
        List<Json> result = new ArrayList<>();
        for (OutRecord r : out) {
            result.add(new Json(r.topic(), r.key(), r.value()));
        }
        return result;
    }
}
