package io.pgferry.core.assembly;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.pgoutput.ParserOptions;
import io.pgferry.core.pgoutput.PgOutputMessage;
import io.pgferry.core.pgoutput.PgOutputParser;
import io.pgferry.core.value.TypeResolver;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Turns the pgoutput message stream into whole, committed transactions, in commit order.
 *
 * <p>Every transaction is buffered ({@link SpillBuffer}: off-heap up to a shared budget, then compressed files) until
 * its outcome is known, then delivered to the sink: ordinary transactions at Commit, streamed ones (protocol 2+) at
 * Stream Commit, two-phase ones at Commit Prepared. A Stream Abort discards the transaction, or only the aborted
 * sub-transaction's changes (ROLLBACK TO SAVEPOINT); a Rollback Prepared discards the prepared transaction. Nothing
 * of an aborted transaction is ever delivered. See the PostgreSQL docs, "Logical Streaming Replication Protocol" and
 * "Logical Replication Message Formats".
 *
 * <p>With a preparer (the handler is a {@link io.pgferry.core.event.PreparingHandler}), each change is parsed when it
 * arrives and handed to the preparer at once, and the bytes it returns are buffered in place of the message, tagged
 * with the same sub-transaction, so aborts drop them alike; a delivered transaction then carries those bytes
 * ({@link Transaction#preparedChanges()}). The relation of such a change is the one the server last described before
 * it, which is what a replay at delivery would find too.
 *
 * <p>Transactions that commit before {@code skipBefore} (the acknowledged checkpoint) are dropped, so a restart from
 * an older slot position does not deliver anything twice.
 *
 * <p>A delivered transaction's buffer is freed when the transaction ends: when the sink returns, or, if the handler
 * {@link Transaction#retain() retained} it, when it releases it, from any thread (see {@link MemoryBudget}).
 *
 * <p>Used from the stream's thread only.
 */
public final class TransactionAssembler {
    /** PostgreSQL's epoch, 2000-01-01T00:00:00Z, in seconds since the Unix epoch. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private final ParserOptions options;
    private final TypeResolver types;
    private final MemoryBudget budget;
    private final Path spillDir;
    private final SpillStats stats;
    private final Consumer<Transaction> sink;
    private final Consumer<Lsn> acknowledger;
    private final Consumer<Relation> relationListener;
    private final Function<ChangeEvent, byte[]> preparer;
    private final IntFunction<Relation> currentRelations = this::currentRelation;
    private final RelationCache relations = new RelationCache();
    private final Map<Long, Buffered> streams = new HashMap<>();
    private final Map<String, Buffered> prepared = new HashMap<>();

    private Lsn skipBefore;
    private Buffered current;
    private boolean skippingCurrent;
    private boolean inStreamBlock;
    private long streamXid;
    private Lsn lastDeliveredEnd = Lsn.INVALID;

    /** A transaction being collected. */
    private static final class Buffered {
        final SpillBuffer buffer;
        final long xid;
        final boolean streamed;
        /** The commit or prepare record's position; for a streamed transaction only known once it is prepared. */
        Lsn finalLsn;

        final long time;
        String origin;
        final Set<Long> abortedSubXids = new HashSet<>();

        Buffered(SpillBuffer buffer, long xid, boolean streamed, Lsn finalLsn, long time) {
            this.buffer = buffer;
            this.xid = xid;
            this.streamed = streamed;
            this.finalLsn = finalLsn;
            this.time = time;
        }
    }

    public TransactionAssembler(
            ParserOptions options,
            TypeResolver types,
            MemoryBudget budget,
            Path spillDir,
            SpillStats stats,
            Lsn skipBefore,
            Consumer<Transaction> sink,
            Consumer<Lsn> acknowledger,
            Consumer<Relation> relationListener) {
        this(options, types, budget, spillDir, stats, skipBefore, sink, acknowledger, relationListener, null);
    }

    /**
     * @param preparer turns each change into the bytes to buffer for it, as it arrives (it must not keep the event);
     *     null to buffer the raw messages and deliver the changes themselves
     */
    public TransactionAssembler(
            ParserOptions options,
            TypeResolver types,
            MemoryBudget budget,
            Path spillDir,
            SpillStats stats,
            Lsn skipBefore,
            Consumer<Transaction> sink,
            Consumer<Lsn> acknowledger,
            Consumer<Relation> relationListener,
            Function<ChangeEvent, byte[]> preparer) {
        this.options = options;
        this.types = types;
        this.budget = budget;
        this.spillDir = spillDir;
        this.stats = stats;
        this.skipBefore = skipBefore;
        this.sink = sink;
        this.acknowledger = acknowledger;
        this.relationListener = relationListener;
        this.preparer = preparer;
    }

    /**
     * Takes the next message. {@code buf} is owned by the assembler from now on (it is copied into a buffer, never
     * kept). {@code walStart} is the XLogData start position the server sent with it.
     */
    public void accept(byte[] buf, int off, int len, Lsn walStart) {
        long lsn = walStart.value();
        if (len >= 5 && isRowChange(buf[off])) {
            // Hot path: a row change is only buffered here. It is parsed, and so validated, once, when its
            // transaction is delivered (or now, for a preparer). Inside a streamed block its first field is the
            // (sub)transaction id.
            long xid = inStreamBlock ? readUint32(buf, off + 1) : 0;
            if (preparer == null) {
                appendToOpen(buf, off, len, lsn, xid);
            } else if (openBuffer() != null) {
                prepareToOpen(PgOutputParser.parse(buf, off, len, options, inStreamBlock), lsn, xid);
            }
            return;
        }
        PgOutputMessage message = PgOutputParser.parse(buf, off, len, options, inStreamBlock);
        if (message instanceof PgOutputMessage.Begin m) {
            skippingCurrent = m.finalLsn().isBefore(skipBefore);
            current = skippingCurrent ? null : open(m.xid(), false, m.finalLsn(), m.commitTime());
        } else if (message instanceof PgOutputMessage.Commit m) {
            Buffered tx = requireCurrent("Commit");
            current = null;
            if (tx != null && tx.buffer.records() == 0) {
                // PostgreSQL 14's pgoutput sends Begin and Commit for every transaction of the database, published
                // tables or not (later majors skip the empty ones). Delivered, it would be one more transaction for
                // the handler to acknowledge; dropped, its WAL is covered as any unpublished WAL is (issue 5).
                tx.buffer.release();
            } else if (tx != null) {
                deliver(tx, Transaction.Kind.COMMITTED, m.commitLsn(), m.endLsn(), m.commitTime());
            }
            skippingCurrent = false;
        } else if (message instanceof PgOutputMessage.Origin m) {
            if (current != null) {
                current.origin = m.name();
            }
        } else if (message instanceof PgOutputMessage.Relation m) {
            Relation r = relations.put(m);
            relationListener.accept(r);
            if (preparer == null) {
                // Replayed at delivery; a preparer already had the relation from the cache.
                appendToOpen(buf, off, len, lsn, 0);
            }
        } else if (message instanceof PgOutputMessage.Type m) {
            // Type names are resolved from the catalog by the TypeResolver; nothing to keep.
        } else if (message instanceof PgOutputMessage.Insert m) {
            keepChange(m, buf, off, len, lsn, m.xid());
        } else if (message instanceof PgOutputMessage.Update m) {
            keepChange(m, buf, off, len, lsn, m.xid());
        } else if (message instanceof PgOutputMessage.Delete m) {
            keepChange(m, buf, off, len, lsn, m.xid());
        } else if (message instanceof PgOutputMessage.Truncate m) {
            keepChange(m, buf, off, len, lsn, m.xid());
        } else if (message instanceof PgOutputMessage.LogicalMessage m) {
            if (m.transactional()) {
                keepChange(m, buf, off, len, lsn, m.xid());
            } else {
                deliverMessage(m);
            }
        } else if (message instanceof PgOutputMessage.StreamStart m) {
            inStreamBlock = true;
            streamXid = m.xid();
            streams.computeIfAbsent(m.xid(), x -> open(x, true, Lsn.INVALID, 0));
        } else if (message instanceof PgOutputMessage.StreamStop m) {
            inStreamBlock = false;
            Buffered tx = streams.get(streamXid);
            if (tx != null && tx.buffer.records() == 0) {
                // A block with no published change (the server streams a transaction whatever tables it touches,
                // and may never send its end): keep nothing for it. A later block opens the buffer again.
                streams.remove(streamXid);
                tx.buffer.release();
            }
        } else if (message instanceof PgOutputMessage.StreamCommit m) {
            Buffered tx = streams.remove(m.xid());
            if (tx == null) {
                // Every block of it was empty (see Stream Stop): nothing to deliver. After a lost connection the
                // server streams a transaction again from its first block, so no non-empty buffer goes missing.
                return;
            }
            if (m.commitLsn().isBefore(skipBefore)) {
                tx.buffer.release();
            } else {
                deliver(tx, Transaction.Kind.STREAMED, m.commitLsn(), m.endLsn(), m.commitTime());
            }
        } else if (message instanceof PgOutputMessage.StreamAbort m) {
            if (m.subXid() == m.xid()) {
                Buffered tx = streams.remove(m.xid());
                if (tx != null) {
                    tx.buffer.release();
                }
            } else {
                Buffered tx = streams.get(m.xid());
                if (tx != null) {
                    tx.abortedSubXids.add(m.subXid());
                }
            }
        } else if (message instanceof PgOutputMessage.BeginPrepare m) {
            // Never skipped here: whether it was delivered is only known at Commit Prepared.
            skippingCurrent = false;
            current = open(m.xid(), false, m.prepareLsn(), m.prepareTime());
        } else if (message instanceof PgOutputMessage.Prepare m) {
            Buffered tx = requireCurrent("Prepare");
            current = null;
            keepPrepared(m.gid(), tx);
        } else if (message instanceof PgOutputMessage.StreamPrepare m) {
            Buffered tx = streams.remove(m.xid());
            if (tx == null) {
                // Only empty blocks (see Stream Stop): an empty prepared transaction.
                tx = open(m.xid(), true, m.prepareLsn(), m.prepareTime());
            }
            // Caps confirmable() at the prepare, as for a transaction prepared without streaming.
            tx.finalLsn = m.prepareLsn();
            keepPrepared(m.gid(), tx);
        } else if (message instanceof PgOutputMessage.CommitPrepared m) {
            Buffered tx = prepared.remove(m.gid());
            if (tx == null) {
                throw unknown("Commit Prepared", "prepared transaction '" + m.gid() + "'");
            }
            if (m.commitLsn().isBefore(skipBefore)) {
                tx.buffer.release();
            } else {
                deliver(tx, Transaction.Kind.PREPARED, m.commitLsn(), m.endLsn(), m.commitTime());
            }
        } else if (message instanceof PgOutputMessage.RollbackPrepared m) {
            Buffered tx = prepared.remove(m.gid());
            if (tx != null) {
                tx.buffer.release();
            }
        }
    }

    private static boolean isRowChange(byte tag) {
        return tag == 'I' || tag == 'U' || tag == 'D';
    }

    private static long readUint32(byte[] b, int at) {
        return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8) | (b[at + 3] & 0xFFL);
    }

    private Buffered open(long xid, boolean streamed, Lsn finalLsn, long time) {
        return new Buffered(new SpillBuffer(budget, spillDir, stats), xid, streamed, finalLsn, time);
    }

    private Buffered requireCurrent(String what) {
        if (current == null && !skippingCurrent) {
            throw unknown(what, "an open transaction");
        }
        return current;
    }

    private void appendToOpen(byte[] buf, int off, int len, long lsn, long xid) {
        if (inStreamBlock) {
            Buffered tx = streams.get(streamXid);
            tx.buffer.append(buf, off, len, lsn, xid);
        } else if (current != null) {
            current.buffer.append(buf, off, len, lsn, 0);
        }
        // Otherwise: part of a transaction being skipped, or a Relation sent between transactions.
    }

    /** The buffer of the transaction a change arriving now belongs to; null if it is being skipped. */
    private SpillBuffer openBuffer() {
        if (inStreamBlock) {
            return streams.get(streamXid).buffer;
        }
        return current == null ? null : current.buffer;
    }

    /** Buffers a change message (already parsed as {@code message}): raw, or as the preparer's bytes. */
    private void keepChange(PgOutputMessage message, byte[] buf, int off, int len, long lsn, long xid) {
        if (preparer == null) {
            appendToOpen(buf, off, len, lsn, xid);
        } else if (openBuffer() != null) {
            prepareToOpen(message, lsn, xid);
        }
    }

    /**
     * Hands the change to the preparer and buffers its bytes in the open transaction, tagged as the raw message
     * would be: inside a streamed block with the (sub)transaction id the change carries, so that a Stream Abort of
     * that sub-transaction drops them.
     */
    private void prepareToOpen(PgOutputMessage message, long lsn, long xid) {
        ChangeEvent change = ChangeReplay.toEvent(message, Lsn.of(lsn), currentRelations, types);
        byte[] bytes = preparer.apply(change);
        openBuffer().append(bytes, 0, bytes.length, lsn, inStreamBlock ? xid : 0);
    }

    private Relation currentRelation(int oid) {
        return ChangeReplay.knownRelation(relations.get(oid), oid);
    }

    private void keepPrepared(String gid, Buffered tx) {
        Buffered old = prepared.put(gid, tx);
        if (old != null) {
            old.buffer.release();
        }
    }

    private void deliver(Buffered tx, Transaction.Kind kind, Lsn commitLsn, Lsn endLsn, long commitTime) {
        Set<Long> aborted = tx.abortedSubXids;
        SpillBuffer.RecordCursor cursor = tx.buffer.cursor(aborted::contains);
        Transaction transaction;
        ChangeReplay replay = null;
        if (preparer == null) {
            replay = new ChangeReplay(cursor, options, tx.streamed, relations, types);
            transaction = new Transaction(
                    tx.xid, commitLsn, endLsn, toInstant(commitTime), tx.origin, kind, replay, acknowledger);
        } else {
            transaction = Transaction.withPreparedChanges(
                    tx.xid,
                    commitLsn,
                    endLsn,
                    toInstant(commitTime),
                    tx.origin,
                    kind,
                    new PreparedReplay(cursor),
                    acknowledger);
        }
        Handout handout = new Handout(tx.buffer, cursor, replay);
        Transaction.Delivery delivery = new Transaction.Delivery(transaction, handout::retained, handout::ended);
        try {
            sink.accept(transaction);
        } finally {
            delivery.end();
        }
        lastDeliveredEnd = endLsn;
    }

    /**
     * A delivered transaction's buffer: freed when the transaction ends, which is when the handler returns or, if it
     * retained the transaction, when it releases it; counted against the budget while retained. Its methods run
     * holding the transaction's lock.
     */
    private final class Handout {
        private final SpillBuffer buffer;
        private final SpillBuffer.RecordCursor cursor;
        private final ChangeReplay replay;
        private final long bytes;
        private boolean retained;

        Handout(SpillBuffer buffer, SpillBuffer.RecordCursor cursor, ChangeReplay replay) {
            this.buffer = buffer;
            this.cursor = cursor;
            this.replay = replay;
            this.bytes = buffer.bytes();
        }

        /**
         * On the handler's thread, while the stream thread waits in the handler: the relation cache is not changing,
         * and the replay takes a copy of it, since it will go on changing while the transaction is read.
         */
        void retained() {
            if (replay != null) {
                replay.detach(relations.snapshot());
            }
            buffer.moveToHeap(cursor);
            retained = true;
            budget.retained(bytes);
        }

        void ended() {
            cursor.close();
            buffer.release();
            if (retained) {
                budget.released(bytes);
            }
        }
    }

    private void deliverMessage(PgOutputMessage.LogicalMessage m) {
        // The server reports a message at the end of its WAL record (decode.c queues it with buf->endptr) and on
        // restart skips records that start before the confirmed position: acknowledging that end confirms the
        // message and nothing after it. One byte more would confirm the start of the next record, which may be a
        // commit, and that transaction would be skipped after a restart.
        Lsn end = m.lsn();
        if (!end.isAfter(skipBefore)) {
            return;
        }
        ChangeEvent event = new ChangeEvent.Message(m.lsn(), m.prefix(), m.content(), false);
        // The server sends no time with a message outside a transaction; the local clock would pass for one.
        Transaction transaction = new Transaction(
                0,
                m.lsn(),
                end,
                null,
                null,
                Transaction.Kind.MESSAGE,
                List.of(event).iterator(),
                acknowledger);
        // Nothing to free: the message is on the heap. Ended all the same, so that its lifetime is every
        // transaction's.
        Transaction.Delivery delivery = new Transaction.Delivery(transaction, () -> {}, () -> {});
        try {
            sink.accept(transaction);
        } finally {
            delivery.end();
        }
        lastDeliveredEnd = end;
    }

    private static PgFerryException unknown(String message, String what) {
        return PgFerryException.fatal(
                "server sent " + message + " for " + what + " that pgferry never saw begin",
                "restart the stream; if it happens again, report it with the server version");
    }

    static Instant toInstant(long pgMicros) {
        return Instant.ofEpochSecond(
                PG_EPOCH_SECONDS + Math.floorDiv(pgMicros, 1_000_000L), Math.floorMod(pgMicros, 1_000_000L) * 1_000L);
    }

    /** True when no transaction is open, so every change the server sent so far has been delivered. */
    public boolean isBetweenTransactions() {
        return current == null && !skippingCurrent && !inStreamBlock;
    }

    /** The end position of the last delivered transaction, or INVALID. */
    public Lsn lastDeliveredEnd() {
        return lastDeliveredEnd;
    }

    /**
     * The highest position that may be confirmed to the server given {@code acked}: a pending prepared transaction
     * caps it at its prepare position, so that the server sends it again after a restart (its changes are only held
     * here, in memory or a spill file, until Commit Prepared).
     */
    public Lsn confirmable(Lsn acked) {
        Lsn cap = acked;
        for (Buffered tx : prepared.values()) {
            cap = Lsn.min(cap, tx.finalLsn);
        }
        return cap;
    }

    /** True while a prepared transaction waits for its Commit or Rollback Prepared. */
    public boolean hasPendingPrepared() {
        return !prepared.isEmpty();
    }

    /** Raises the skip position after an idle advance; transactions committed before it are never delivered. */
    public void skipBefore(Lsn lsn) {
        if (lsn.isAfter(skipBefore)) {
            skipBefore = lsn;
        }
    }

    /** Drops every open and pending transaction (after a lost connection; the server sends them again). */
    public void reset() {
        if (current != null) {
            current.buffer.release();
        }
        current = null;
        skippingCurrent = false;
        inStreamBlock = false;
        streams.values().forEach(b -> b.buffer.release());
        streams.clear();
        prepared.values().forEach(b -> b.buffer.release());
        prepared.clear();
        relations.clear();
    }
}
