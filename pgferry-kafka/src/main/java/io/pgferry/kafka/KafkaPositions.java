package io.pgferry.kafka;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.core.checkpoint.CheckpointStore;
import io.pgferry.core.sink.CopyRangeId;
import io.pgferry.kafka.event.OutRecord;
import io.pgferry.kafka.event.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * The stream's checkpoint store for a Kafka destination: reads the sync's position from the offsets topic, and
 * advances it over stretches of WAL that carry nothing for the sync (the sink stores the position of every batch it
 * commits, in the batch's own Kafka transaction). An advance is written by an idempotent producer of its own, outside
 * any transaction, and {@link #save} returns once every in-sync replica has it ({@code acks=all}, flushed), as the
 * {@link CheckpointStore} contract asks. Positions only move forward, and the offsets topic is read for its highest
 * one, so an advance and a batch committed around the same time cannot move the position back.
 *
 * <p>Called from the stream's thread only. The producer is made on the first advance.
 */
public final class KafkaPositions implements CheckpointStore, AutoCloseable {
    private final KafkaTarget target;
    private final OffsetStore offsets;
    private final CopyMarks marks;
    private final String clientId;
    private final Clock clock = Clock.systemUTC();
    private Producer<byte[], byte[]> producer;
    private String fingerprint = "";
    private Lsn stored = Lsn.INVALID;
    private boolean copyUnfinished;
    /** Whether the topic may hold copy marks: false once {@link #load} found no copy cut short. */
    private boolean marksPossible = true;

    public KafkaPositions(KafkaTarget target) {
        this.target = target;
        this.offsets = new OffsetStore(new Topics(target.topicPrefix()).offsets(), target.syncName());
        this.marks = new CopyMarks(offsets.topic(), target.syncName());
        this.clientId = target.transactionalId() + "-checkpoint";
    }

    @Override
    public void bind(String fingerprint) {
        this.fingerprint = fingerprint;
    }

    /** The fingerprint the stream bound, which the sink stores with each position. */
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public Optional<Checkpoint> load() {
        try {
            OffsetStore.State state = offsets.readState(ClientSettings.consumer(target, clientId));
            copyUnfinished = state.copyUnfinished();
            marksPossible = copyUnfinished;
            Optional<OffsetStore.Stored> s = state.position();
            s.ifPresent(p -> stored = Lsn.max(stored, p.lsn()));
            return s.map(p -> new Checkpoint(p.lsn(), p.fingerprint()));
        } catch (Exception e) {
            throw KafkaErrors.classify(
                    e, "read the position of sync " + target.syncName() + " from " + offsets.topic(), target, null);
        }
    }

    /**
     * Whether, at the last {@link #load}, the sync's last record was a copy marker ({@link #copyStarted}): an initial
     * copy began and never stored its position, so a slot of the sync's name is the one that copy created.
     */
    public boolean copyUnfinished() {
        return copyUnfinished;
    }

    /**
     * Records that an initial copy begins, before it creates its slot; returns once every in-sync replica has it. The
     * copy's position, stored when it ends, follows it.
     */
    public void copyStarted() {
        send(offsets.copyStarted(clock.instant()), "record the start of the initial copy of sync ");
        copyUnfinished = true;
    }

    /**
     * Removes the sync's copy marks ({@link CopyMarks}), each with a tombstone, and returns once every in-sync replica
     * has them: at the start of a copy, whose ranges must not find the marks of a copy before it. Reads the offsets
     * topic for them unless the last {@link #load} found no copy cut short, which alone leaves marks. Returns whether
     * a copy keeps marks at all (exactly-once delivery).
     */
    public boolean forgetCopyMarks() {
        if (target.delivery() != Delivery.EXACTLY_ONCE) {
            return false;
        }
        if (marksPossible) {
            removeMarks();
        }
        return true;
    }

    /** Removes the marks of {@code ranges}, those of a copy that ended, without reading the topic. */
    public void removeCopyMarks(List<CopyRangeId> ranges) {
        if (target.delivery() == Delivery.EXACTLY_ONCE) {
            send(ranges.stream().map(marks::removal).toList(), "remove the copy marks of sync ");
        }
    }

    private void removeMarks() {
        List<OutRecord> removals;
        try {
            removals = marks.removals(ClientSettings.consumer(target, clientId));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw KafkaErrors.classify(
                    e, "read the copy marks of sync " + target.syncName() + " from " + offsets.topic(), target, null);
        }
        send(removals, "remove the copy marks of sync ");
    }

    /** Stores {@code checkpoint} when it is ahead of what this store last read or wrote. */
    @Override
    public void save(Checkpoint checkpoint) {
        if (!checkpoint.lsn().isAfter(stored)) {
            return;
        }
        send(
                offsets.record(checkpoint.lsn(), null, checkpoint.fingerprint(), clock.instant()),
                "advance the position of sync ");
        stored = checkpoint.lsn();
        copyUnfinished = false;
    }

    /**
     * Stores {@code checkpoint}, at the position last read, under a new identity: for a sync whose position an
     * earlier release stored under an identity this one no longer gives it. Returns once every in-sync replica has it.
     */
    public void restamp(Checkpoint checkpoint) {
        send(
                offsets.record(checkpoint.lsn(), null, checkpoint.fingerprint(), clock.instant()),
                "store the position of sync ");
    }

    /** Sends {@code r} and waits for every in-sync replica; {@code what} + the sync's name says what failed. */
    private void send(OutRecord r, String what) {
        send(List.of(r), what);
    }

    /** Sends {@code records} and waits until every in-sync replica has each of them. */
    private void send(List<OutRecord> records, String what) {
        if (records.isEmpty()) {
            return;
        }
        try {
            if (producer == null) {
                try (TopicAdmin admin = new TopicAdmin(ClientSettings.admin(target, clientId + "-admin"))) {
                    // The stream's sink creates it too; the copy may end before that sink is first opened.
                    admin.ensureCompacted(offsets.topic());
                }
                try {
                    producer = new KafkaProducer<>(ClientSettings.producer(target, null, clientId));
                } catch (KafkaException e) {
                    throw KafkaErrors.badSettings(e, target);
                }
            }
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (OutRecord r : records) {
                sent.add(producer.send(new ProducerRecord<>(r.topic(), r.key(), r.value())));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (PgFerryException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw KafkaErrors.classify(e, what + target.syncName() + " in " + offsets.topic(), target, null);
        }
    }

    /**
     * Removes the sync's position (and any copy marker) from the offsets topic with a tombstone, and the marks of a copy
     * cut short; returns once every in-sync replica has them. A sync started afterwards under the same name starts over.
     */
    public void remove() {
        removeMarks();
        send(offsets.removal(), "remove the position of sync ");
        stored = Lsn.INVALID;
        copyUnfinished = false;
    }

    /**
     * A sync's position as the offsets topic holds it.
     *
     * @param sourceCommitTime when the source committed the last transaction delivered (an idle advance or the end of
     *     the initial copy, stored without one, keeps the time of the transaction before it); null when none is known
     * @param storedAt when pgferry stored it; null with no position
     * @param lsn empty while an initial copy has not finished: a position stored before it no longer describes the
     *     topics
     * @param copyUnfinished whether the sync's last record says an initial copy began: it is running, or it was
     *     interrupted and the next run starts it over
     */
    public record StoredPosition(
            String sync, Optional<Lsn> lsn, Instant sourceCommitTime, Instant storedAt, boolean copyUnfinished) {}

    /**
     * Every sync in {@code target}'s offsets topic (the topic of its prefix), or only the target's sync when {@code
     * onlyThisSync}, with its position, and those whose initial copy has not finished; in sync name order, empty when
     * the topic does not exist. Reads only committed records.
     */
    public static List<StoredPosition> readAll(KafkaTarget target, boolean onlyThisSync) {
        OffsetStore offsets = new OffsetStore(new Topics(target.topicPrefix()).offsets(), target.syncName());
        try {
            OffsetStore.Listing listing = offsets.list(
                    ClientSettings.consumer(target, target.transactionalId() + "-status"),
                    onlyThisSync ? target.syncName() : null);
            SortedSet<String> syncs = new TreeSet<>(listing.positions().keySet());
            syncs.addAll(listing.unfinishedCopies());
            List<StoredPosition> out = new ArrayList<>();
            for (String sync : syncs) {
                OffsetStore.Stored s = listing.positions().get(sync);
                if (listing.unfinishedCopies().contains(sync)) {
                    out.add(new StoredPosition(sync, Optional.empty(), null, s == null ? null : s.storedAt(), true));
                } else {
                    out.add(new StoredPosition(sync, Optional.of(s.lsn()), s.sourceCommitTime(), s.storedAt(), false));
                }
            }
            return out;
        } catch (Exception e) {
            throw KafkaErrors.classify(e, "read the positions in " + offsets.topic(), target, null);
        }
    }

    @Override
    public String describe() {
        return "the position of sync " + target.syncName() + " in Kafka topic " + offsets.topic();
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close();
            producer = null;
        }
    }
}
