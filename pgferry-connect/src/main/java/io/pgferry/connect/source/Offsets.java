package io.pgferry.connect.source;

import io.pgferry.core.Lsn;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.core.checkpoint.CheckpointStore;
import io.pgferry.core.event.Transaction;
import io.pgferry.postgres.connect.Dsn;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the task's position lives: in Connect's offsets. One source partition per slot and server ({@code server},
 * {@code database}, {@code slot}); each record's offset says which source transaction it belongs to and how far into
 * it it is:
 *
 * <ul>
 *   <li>{@code lsn}: the transaction's commit position, and {@code end}: the position just past its commit record
 *       (what the slot is confirmed to once the transaction is acknowledged);
 *   <li>{@code index}: the record's place among the transaction's records (0 for the first), and {@code last}: true
 *       on its last record;
 *   <li>{@code snapshot}: true on rows of the initial snapshot, which all count as one transaction;
 *   <li>{@code fp}: a hash of the stream's fingerprint (server, database, slot, publication, tables), so that offsets
 *       written for another stream are refused rather than applied.
 * </ul>
 *
 * <p>As a {@link CheckpointStore} it gives the stream the position to resume from, read from the last committed
 * offset: past the transaction when its last record is in, else at its commit, so that it is delivered again and the
 * task skips the records it had already written ({@link Resume}). {@link #save} keeps nothing: the stream saves only
 * positions the task acknowledged, and the task acknowledges only transactions whose records' offsets Connect has
 * committed (see {@link Acknowledgements}), so the offsets already cover every saved position. Called from the
 * stream's thread, except {@link #offset}, which the task's thread calls once {@link #bind} has run.
 */
final class Offsets implements CheckpointStore {
    private final Map<String, Object> partition;
    private final Map<String, Object> stored;
    private final String connector;
    private volatile String fingerprint;
    private volatile String fingerprintHash;

    /**
     * @param stored the partition's last committed offset, or null
     * @param connector the connector's name, for messages
     */
    Offsets(Map<String, Object> partition, Map<String, Object> stored, String connector) {
        this.partition = partition;
        this.stored = stored;
        this.connector = connector;
    }

    /**
     * The source partition of {@code slot}. Its keys keep one order: Connect stores offsets under the partition's
     * serialized form, and an order that changed between JVMs (as {@code Map.of}'s does) would lose them.
     */
    static Map<String, Object> partition(Dsn source, String slot) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("server", source.endpoints());
        p.put("database", source.dbname());
        p.put("slot", slot);
        return Collections.unmodifiableMap(p);
    }

    Map<String, Object> partition() {
        return partition;
    }

    /** What the last committed offset says about where to resume; empty when there is none. */
    Optional<Resume> resume() {
        if (stored == null || !(stored.get("lsn") instanceof Number lsn)) {
            return Optional.empty();
        }
        Number end = (Number) stored.get("end");
        Number index = (Number) stored.get("index");
        return Optional.of(new Resume(
                Lsn.of(lsn.longValue()),
                end == null ? Lsn.INVALID : Lsn.of(end.longValue()),
                index == null ? -1 : index.longValue(),
                Boolean.TRUE.equals(stored.get("last")),
                Boolean.TRUE.equals(stored.get("snapshot"))));
    }

    /**
     * The last committed offset's meaning.
     *
     * @param lsn the commit position of its transaction
     * @param end the end of its transaction; INVALID for snapshot rows of any table but the last
     * @param index the place of the last record written, among its transaction's
     * @param last whether that was the transaction's last record
     * @param snapshot whether it was a row of the initial snapshot
     */
    record Resume(Lsn lsn, Lsn end, long index, boolean last, boolean snapshot) {
        /** True for a record of transaction {@code commitLsn} at {@code index} that was already written. */
        boolean written(Lsn commitLsn, long index) {
            return commitLsn.isBefore(lsn) || (commitLsn.equals(lsn) && (last || index <= this.index));
        }

        /** Whether the snapshot was cut off before its end: it must be taken again, from a new slot. */
        boolean snapshotUnfinished() {
            return snapshot && !last;
        }
    }

    /** The offset of a record: the {@code index}th of transaction {@code tx} ({@code last} on its last record). */
    Map<String, Object> offset(Transaction tx, long index, boolean last) {
        Map<String, Object> o = new LinkedHashMap<>(8);
        o.put("lsn", tx.commitLsn().value());
        if (tx.endLsn().isValid()) {
            o.put("end", tx.endLsn().value());
        }
        o.put("index", index);
        if (last) {
            o.put("last", true);
        }
        if (tx.kind() == Transaction.Kind.SNAPSHOT) {
            o.put("snapshot", true);
        }
        o.put("fp", fingerprintHash);
        return o;
    }

    @Override
    public void bind(String fingerprint) {
        this.fingerprint = fingerprint;
        this.fingerprintHash = hash(fingerprint);
    }

    @Override
    public Optional<Checkpoint> load() {
        Optional<Resume> r = resume();
        if (r.isEmpty() || r.get().snapshotUnfinished()) {
            // An unfinished snapshot is taken again from a new slot: the task dropped the old one.
            return Optional.empty();
        }
        // A fingerprint that is not this stream's makes the stream refuse to start, naming this store.
        String fp = fingerprintHash.equals(stored.get("fp")) ? fingerprint : "another stream";
        Resume at = r.get();
        return Optional.of(new Checkpoint(at.last() && at.end().isValid() ? at.end() : at.lsn(), fp));
    }

    @Override
    public void save(Checkpoint checkpoint) {
        // Nothing to do: the committed offsets already cover every position the task acknowledged.
    }

    @Override
    public String describe() {
        return "the Kafka Connect offsets of connector " + connector + " (reset them with the Connect REST API:"
                + " PUT /connectors/" + connector + "/stop, then DELETE /connectors/" + connector + "/offsets)";
    }

    private static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is in every Java runtime", e);
        }
    }
}
