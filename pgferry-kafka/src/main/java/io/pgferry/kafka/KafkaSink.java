package io.pgferry.kafka;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.CopyRangeId;
import io.pgferry.core.sink.SourceTransaction;
import io.pgferry.kafka.event.EventRecords;
import io.pgferry.kafka.event.OutRecord;
import io.pgferry.kafka.event.SourceBlock;
import io.pgferry.kafka.event.TableFacts;
import io.pgferry.kafka.event.TableLayout;
import io.pgferry.kafka.event.Topics;
import io.pgferry.kafka.event.TransactionBlock;
import io.pgferry.kafka.event.UnchangedToast;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes changes to Kafka as Debezium's PostgreSQL connector would: one topic per table ({@code
 * <prefix>.<schema>.<table>}), keyed by the replica-identity key, valued by Debezium's envelope (see {@link
 * EventRecords} and docs/kafka.md). Made with {@link #open} for the stream and {@link #openCopyWorker} for a copy
 * worker.
 *
 * <p><b>Durability</b> (see {@link ChangeSink}). With {@link Delivery#EXACTLY_ONCE} each batch is one Kafka
 * transaction of a transactional producer, holding one or more consecutive source transactions, each whole (the
 * engine groups them as for any sink; a Kafka transaction a source transaction would cost about as much as a
 * round of transaction markers, so grouping is what makes small transactions fast), and
 * {@link #commit} writes the position to the offsets topic inside it before committing it: the changes and the
 * position become visible to {@code read_committed} consumers together, and are durable when {@code commit} returns.
 * A new sink with the same transactional id fences this one and aborts what it left open. With {@link
 * Delivery#AT_LEAST_ONCE} the idempotent producer sends as changes come; {@code commit} waits until every record is
 * acknowledged, then writes and waits for the position record: after a crash, the changes since the position are
 * sent again.
 *
 * <p><b>Failure.</b> Errors are {@link PgFerryException}s: fatal when another producer took over the transactional
 * id, for refused credentials or rights, or a record the broker cannot take; retriable for a lost or slow broker.
 * {@link #rollback()} aborts the open Kafka transaction. Messages never quote row values or secrets.
 *
 * <p><b>Threading.</b> One thread at a time, but {@link #durablePosition()}, which any thread may call.
 */
public final class KafkaSink implements ChangeSink {
    private static final Logger log = LoggerFactory.getLogger(KafkaSink.class);
    private static final EventRecords.Origin NO_TRANSACTION = new EventRecords.Origin(0, null, null);

    private final KafkaTarget target;
    private final boolean exactlyOnce;
    /** The producer's transactional id; null without transactions. */
    private final String transactionalId;
    /** The clients' id: the transactional id the sink would have in exactly-once mode. */
    private final String clientId;

    private final boolean copyWorker;
    private final Supplier<String> fingerprint;
    private final Topics topics;
    private final OffsetStore offsets;
    private final CopyMarks marks;
    private final TopicAdmin admin;
    private final Producer<byte[], byte[]> producer;
    private final EventRecords events;
    private final Clock clock = Clock.systemUTC();
    private final List<OutRecord> out = new ArrayList<>();
    /** The first failed send since the batch began, as the producer's callback reported it. */
    private final AtomicReference<SendFailure> sendFailure = new AtomicReference<>();

    private volatile Lsn durable = Lsn.INVALID;
    private boolean open;
    private EventRecords.Origin origin = NO_TRANSACTION;

    private KafkaSink(
            KafkaTarget target,
            Supplier<String> fingerprint,
            String producerId,
            boolean copyWorker,
            Function<Relation, TableFacts> facts) {
        this.target = target;
        this.exactlyOnce = target.delivery() == Delivery.EXACTLY_ONCE;
        this.transactionalId = exactlyOnce ? producerId : null;
        this.clientId = producerId;
        this.copyWorker = copyWorker;
        this.fingerprint = fingerprint;
        this.topics = new Topics(target.topicPrefix(), target.schemaMap());
        this.offsets = new OffsetStore(topics.offsets(), target.syncName());
        this.marks = new CopyMarks(topics.offsets(), target.syncName());
        this.events = new EventRecords(
                topics,
                new SourceBlock(target.topicPrefix(), target.sourceDatabase()),
                target.schemas(),
                target.tombstones(),
                clock,
                facts);
        TopicAdmin a = null;
        Producer<byte[], byte[]> p = null;
        try {
            try {
                a = new TopicAdmin(ClientSettings.admin(target, clientId + "-admin"));
                p = new KafkaProducer<>(ClientSettings.producer(target, this.transactionalId, clientId));
            } catch (KafkaException e) {
                // The clients connect to nothing when made: what fails here is their configuration.
                throw KafkaErrors.badSettings(e, target);
            }
            if (!copyWorker) {
                a.ensureCompacted(offsets.topic());
            }
            if (exactlyOnce) {
                // Fences any older producer of this id and aborts the transaction it left open.
                p.initTransactions();
            }
        } catch (Exception e) {
            closeQuietly(p, a);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw KafkaErrors.classify(e, "start the Kafka producer " + clientId, target, this.transactionalId);
        }
        this.admin = a;
        this.producer = p;
    }

    /**
     * The sink of the stream for {@code target}: its producer's transactional id is {@link
     * KafkaTarget#transactionalId()}, so at most one runs per sync; opening it fences an older one.
     *
     * @param fingerprint the stream's fingerprint, stored with each position
     * @throws PgFerryException when the cluster cannot be reached (retriable) or refuses the producer (fatal)
     */
    public static KafkaSink open(KafkaTarget target, Supplier<String> fingerprint) {
        return open(target, fingerprint, r -> TableFacts.NONE);
    }

    /**
     * As {@link #open(KafkaTarget, Supplier)}, knowing what the source's catalog says of each table ({@link
     * TableFacts}): a table with REPLICA IDENTITY FULL and a primary key gets that key ({@link #hasKey}), and a column
     * added with a default names the value the rows before it read.
     */
    public static KafkaSink open(
            KafkaTarget target, Supplier<String> fingerprint, Function<Relation, TableFacts> facts) {
        return new KafkaSink(target, fingerprint, target.transactionalId(), false, facts);
    }

    /**
     * A sink for copy worker {@code worker} (0, 1, ...), which commits copied rows with {@link #commitCopy()} and
     * never a position: it has a transactional id of its own, so workers and the stream's sink do not fence each
     * other.
     */
    public static KafkaSink openCopyWorker(KafkaTarget target, int worker, Function<Relation, TableFacts> facts) {
        return new KafkaSink(target, () -> "", target.copyTransactionalId(worker), true, facts);
    }

    /**
     * Whether records of {@code relation} get a key from its replica identity: true when it names key columns (a
     * primary key or a unique index). A table with REPLICA IDENTITY FULL (pgoutput then flags every column, which is
     * no key) gets its primary key when the sink was told it; with NOTHING, or without key columns, records get null
     * keys: they are spread over partitions without order, and a compacted topic cannot hold them. The engine warns
     * about such tables at start-up.
     */
    public static boolean hasKey(Relation relation) {
        return TableLayout.keyedByIdentity(relation);
    }

    @Override
    public boolean storesPosition() {
        return exactlyOnce;
    }

    /** Reads the offsets topic from its start with a {@code read_committed} consumer; see {@link OffsetStore}. */
    @Override
    public Optional<Lsn> position() {
        try {
            Optional<Lsn> p = offsets.read(ClientSettings.consumer(target, clientId + "-position"));
            p.ifPresent(lsn -> durable = Lsn.max(durable, lsn));
            return p;
        } catch (Exception e) {
            throw KafkaErrors.classify(
                    e, "read the position of sync " + target.syncName() + " from " + offsets.topic(), target, null);
        }
    }

    @Override
    public void begin() {
        out.clear();
        sendFailure.set(null);
        origin = NO_TRANSACTION;
        if (exactlyOnce) {
            if (open) {
                abort();
            }
            try {
                producer.beginTransaction();
            } catch (Exception e) {
                throw KafkaErrors.classify(e, "begin a Kafka transaction", target, transactionalId);
            }
            open = true;
        }
    }

    @Override
    public void beginTransaction(SourceTransaction tx) {
        if (tx.xid() == 0) {
            origin = new EventRecords.Origin(0, tx.commitTime(), null);
            return;
        }
        TransactionBlock block = target.transactionMetadata() ? new TransactionBlock(tx, clock.instant()) : null;
        origin = new EventRecords.Origin(tx.xid(), tx.commitTime(), block);
    }

    @Override
    public void endTransaction(SourceTransaction tx) {
        TransactionBlock block = origin.block();
        if (block != null && block.begun()) {
            send(new OutRecord(topics.transaction(), block.key(target.schemas()), block.value(target.schemas(), true)));
        }
        origin = NO_TRANSACTION;
    }

    @Override
    public void apply(ChangeEvent change) {
        if (exactlyOnce && !open) {
            throw new IllegalStateException("apply() outside a batch: call begin() first");
        }
        TransactionBlock block = origin.block();
        if (block != null && !(change instanceof ChangeEvent.Message) && block.begin()) {
            send(new OutRecord(
                    topics.transaction(), block.key(target.schemas()), block.value(target.schemas(), false)));
        }
        out.clear();
        try {
            events.add(change, origin, out);
        } catch (IllegalArgumentException e) {
            // PgValues' messages name the type, never the value.
            throw PgFerryException.fatal(
                    "could not encode a change of " + describe(change) + " for Kafka: " + e.getMessage(),
                    "report it as a bug of pgferry, with the column's type",
                    e);
        }
        for (OutRecord r : out) {
            send(r);
        }
        out.clear();
    }

    /** Changes the prior rows are replayed over are written as they come: consumers keyed by row converge. */
    @Override
    public void idempotent(boolean on) {}

    /**
     * Events carry their table's columns as each Relation describes them: nothing to change at the destination, and no
     * stored row to fill; consumers read rows written before the column as lacking it.
     */
    @Override
    public void addColumn(Relation relation, Column column, String existing) {
        log.info("table {} gained column {}: its events carry it from now on", relation, column.name());
    }

    @Override
    public void commit(Lsn endLsn, Instant sourceCommitTime) {
        if (copyWorker) {
            throw new IllegalStateException("a copy worker's sink stores no position: use commitCopy()");
        }
        if (!exactlyOnce) {
            flush("send a batch");
        }
        send(offsets.record(endLsn, sourceCommitTime, fingerprint.get(), clock.instant()));
        finish("commit a batch");
        durable = endLsn;
    }

    @Override
    public void commitCopy() {
        finish("commit copied rows");
    }

    /**
     * True for a copy worker's sink with exactly-once delivery: its transaction carries the range's mark in the
     * offsets topic ({@link CopyMarks}) with the range's records. Without transactions a mark could land without the
     * records before it, so none is kept.
     */
    @Override
    public boolean keepsCopyMarks() {
        return copyWorker && exactlyOnce;
    }

    @Override
    public void commitCopy(CopyRangeId range, long rows) {
        if (!keepsCopyMarks()) {
            ChangeSink.super.commitCopy(range, rows);
        }
        send(marks.mark(range, rows));
        finish("commit copied rows");
    }

    /**
     * Reads the mark with a {@code read_committed} consumer: what a transaction of this sink's id left open was
     * aborted when this sink was made, and a commit whose answer was lost shows here if it was made.
     */
    @Override
    public OptionalLong copiedRows(CopyRangeId range) {
        if (!keepsCopyMarks()) {
            return OptionalLong.empty();
        }
        try {
            return marks.rows(ClientSettings.consumer(target, clientId + "-marks"), range);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw KafkaErrors.classify(e, "read the copy marks of sync " + target.syncName(), target, null);
        }
    }

    @Override
    public Lsn durablePosition() {
        return durable;
    }

    @Override
    public void rollback() {
        out.clear();
        origin = NO_TRANSACTION;
        if (open) {
            abort();
        }
    }

    @Override
    public void close() {
        rollback();
        closeQuietly(producer, admin);
    }

    /**
     * False by default: consecutive source transactions share a Kafka transaction, which never splits one, because
     * each Kafka transaction costs a round of markers on every partition it wrote; true with {@link
     * KafkaTarget#transactionPerSourceTransaction()}.
     */
    @Override
    public boolean transactionPerBatch() {
        return target.transactionPerSourceTransaction();
    }

    /** Commits the open Kafka transaction, or waits until every record sent is acknowledged. */
    private void finish(String doing) {
        if (!exactlyOnce) {
            flush(doing);
            return;
        }
        try {
            producer.commitTransaction();
            open = false;
        } catch (Exception e) {
            throw failure(e, doing);
        }
    }

    private void flush(String doing) {
        try {
            producer.flush();
        } catch (Exception e) {
            throw failure(e, doing);
        }
        SendFailure first = sendFailure.get();
        if (first != null) {
            throw failure(first.error(), doing);
        }
    }

    /**
     * The error to report for {@code e}: the first failed send of the batch when there was one, as the producer's
     * later errors only say that an earlier request failed.
     */
    private PgFerryException failure(Exception e, String doing) {
        SendFailure first = sendFailure.get();
        if (first != null) {
            return KafkaErrors.classify(first.error(), "send to topic " + first.topic(), target, transactionalId);
        }
        return KafkaErrors.classify(e, doing, target, transactionalId);
    }

    private void send(OutRecord r) {
        try {
            admin.ensure(r.topic());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw KafkaErrors.classify(e, "create topic " + r.topic(), target, transactionalId);
        }
        try {
            ProducerRecord<byte[], byte[]> record = r.unchangedToast() == null
                    ? new ProducerRecord<>(r.topic(), r.key(), r.value())
                    : new ProducerRecord<>(
                            r.topic(),
                            null,
                            r.key(),
                            r.value(),
                            List.of(new RecordHeader(UnchangedToast.HEADER, r.unchangedToast())));
            producer.send(record, (metadata, e) -> {
                if (e != null) {
                    sendFailure.compareAndSet(null, new SendFailure(r.topic(), e));
                }
            });
        } catch (Exception e) {
            throw failure(e, "send to topic " + r.topic());
        }
    }

    /** A send the producer reported failed, on its I/O thread. */
    private record SendFailure(String topic, Exception error) {}

    /** Aborts the open Kafka transaction; never throws: a fenced or disconnected producer has nothing to abort. */
    private void abort() {
        open = false;
        try {
            producer.abortTransaction();
        } catch (Exception e) {
            log.debug(
                    "aborting the Kafka transaction failed ({}); the broker aborts it when it times out or when"
                            + " the next producer of {} starts",
                    e.getClass().getSimpleName(),
                    transactionalId);
        }
    }

    private static String describe(ChangeEvent change) {
        if (change instanceof ChangeEvent.Insert c) {
            return "table " + c.relation();
        } else if (change instanceof ChangeEvent.Update c) {
            return "table " + c.relation();
        } else if (change instanceof ChangeEvent.Delete c) {
            return "table " + c.relation();
        } else if (change instanceof ChangeEvent.Read c) {
            return "table " + c.relation();
        }
        return change.op().name().toLowerCase(Locale.ROOT);
    }

    private static void closeQuietly(Producer<byte[], byte[]> producer, TopicAdmin admin) {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(10));
            } catch (Exception e) {
                log.debug("closing the Kafka producer failed: {}", e.getClass().getSimpleName());
            }
        }
        if (admin != null) {
            admin.close();
        }
    }
}
