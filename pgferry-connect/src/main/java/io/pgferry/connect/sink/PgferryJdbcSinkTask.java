package io.pgferry.connect.sink;

import io.pgferry.connect.PluginVersion;
import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.JdbcSink;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the change events of its partitions to the destination: each {@link #put} is one destination transaction
 * holding its changes (reduced per key by {@link JdbcSink}) and the partitions' next offsets ({@link OffsetLedger}),
 * or more than one where a record brings a table or column the destination lacks (see {@link #prepare}).
 * The destination's offsets are the truth: on {@link #open} the consumer is moved to them, and records below them are
 * skipped, so a restarted or moved task applies nothing twice, also in a table without a key. {@link #preCommit}
 * reports to Kafka only offsets whose transaction is durable at the destination.
 */
public final class PgferryJdbcSinkTask extends SinkTask {
    private static final Logger log = LoggerFactory.getLogger(PgferryJdbcSinkTask.class);

    private SinkConfig.Settings settings;
    private Target target;
    private Dialect dialect;
    private Connection ddl;
    private TargetTables tables;
    private OffsetLedger ledger;
    private JdbcSink sink;
    private final ChangeDecoder decoder = new ChangeDecoder();
    private final Set<TopicPartition> assigned = new HashSet<>();
    /** The next offset to apply of each assigned partition, as the destination holds it. */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    /** Batches committed, oldest first, with the offsets they leave: {@code (sequence, offsets)}. */
    private final ArrayDeque<Map.Entry<Long, Map<TopicPartition, Long>>> committed = new ArrayDeque<>();
    /** Offsets whose batches are durable, not yet reported. */
    private final Map<TopicPartition, Long> durable = new HashMap<>();

    private long sequence;

    @Override
    public String version() {
        return PluginVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        try {
            settings = SinkConfig.parse(props);
        } catch (PgFerryException e) {
            throw new ConnectException(e.getMessage(), e);
        }
        target = settings.target();
        run(this::connect);
    }

    private void connect() {
        if (ddl != null) {
            return;
        }
        Connection c = target.connect();
        try {
            c.setAutoCommit(true);
            dialect = target.dialect(c);
            OffsetLedger.create(c, dialect, settings.catalogSchema());
        } catch (SQLException e) {
            Target.closeQuietly(c);
            throw io.pgferry.jdbc.JdbcErrors.classify(e, "could not prepare the offsets table at " + target);
        } catch (RuntimeException e) {
            Target.closeQuietly(c);
            throw e;
        }
        ddl = c;
        if (tables == null) {
            tables = new TargetTables(target, dialect, settings.schemaMap(), settings.applyDdl());
        }
        ledger = new OffsetLedger(dialect, settings.catalogSchema(), settings.connector());
        sink = new JdbcSink(target::connect, dialect, tables::of, ledger, target.toString());
        // Tasks of one connector may write one table, each its own partitions of it.
        sink.severalWriters(true);
        reloadOffsets(assigned);
    }

    private void reloadOffsets(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> stored;
        try {
            stored = ledger.read(ddl, partitions);
        } catch (SQLException e) {
            throw io.pgferry.jdbc.JdbcErrors.classify(e, "could not read the offsets at " + target);
        }
        for (TopicPartition tp : partitions) {
            next.remove(tp);
        }
        next.putAll(stored);
        if (!stored.isEmpty()) {
            log.info("resuming {} at the offsets {} holds: {}", settings.connector(), target, stored);
            context.offset(stored);
        }
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        assigned.addAll(partitions);
        run(() -> {
            connect();
            reloadOffsets(partitions);
        });
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
        for (TopicPartition tp : partitions) {
            next.remove(tp);
            durable.remove(tp);
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        run(() -> {
            connect();
            apply(records);
        });
    }

    private void apply(Collection<SinkRecord> records) {
        Map<TopicPartition, Long> moves = new LinkedHashMap<>();
        Set<Relation> ready = new HashSet<>();
        sink.begin();
        for (SinkRecord r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.kafkaPartition());
            Long from = next.get(tp);
            if (from != null && r.kafkaOffset() < from) {
                continue;
            }
            ChangeDecoder.Decoded d = decode(r);
            if (d.change() != null) {
                if (d.shape() != null && ready.add(d.shape().relation)) {
                    moves = prepare(d.shape(), moves);
                }
                ChangeEvent c = d.change();
                if (c instanceof ChangeEvent.Truncate t) {
                    if (tables.exists(ddl, t.relations().get(0))) {
                        sink.apply(c);
                    }
                } else {
                    sink.idempotent(settings.upsert() && d.shape().relation.replicaIdentity() != ReplicaIdentity.FULL);
                    sink.apply(c);
                }
            }
            moves.put(tp, r.kafkaOffset() + 1);
        }
        if (!moves.isEmpty()) {
            commit(moves);
        }
    }

    /**
     * Creates the table of {@code shape} or adds the columns it lacks, before the first change of this batch that
     * carries them. The changes before it are committed first, with their offsets: they were written without the
     * column, and must be there when it is added, so that they get the value the source's rows read in it (when the
     * records say, see {@link Shape#existingText}) as the rows held before do; and since DDL commits at once in MySQL,
     * a batch applied again after
     * a failure then never starts before the column was added. Returns the offsets of the batch still open.
     */
    private Map<TopicPartition, Long> prepare(Shape shape, Map<TopicPartition, Long> moves) {
        try {
            if (!moves.isEmpty() && tables.needsDdl(ddl, shape.relation)) {
                commit(moves);
                moves = new LinkedHashMap<>();
                sink.begin();
            }
            TargetTables.Prepared prepared =
                    tables.prepare(ddl, List.of(shape.relation), (r, column) -> shape.existingText(column));
            for (TargetTables.Added add : prepared.addInBatch()) {
                sink.addColumn(add.relation(), add.column(), add.existing());
            }
            return moves;
        } catch (SQLException e) {
            throw io.pgferry.jdbc.JdbcErrors.classify(e, "could not create or alter a table at " + target);
        }
    }

    /** Commits the open batch with the partitions' next offsets {@code moves}. */
    private void commit(Map<TopicPartition, Long> moves) {
        for (Map.Entry<TopicPartition, Long> m : moves.entrySet()) {
            ledger.stage(m.getKey(), next.getOrDefault(m.getKey(), -1L), m.getValue());
        }
        sink.commit(Lsn.of(++sequence), Instant.now());
        next.putAll(moves);
        committed.addLast(Map.entry(sequence, Map.copyOf(moves)));
    }

    /**
     * The record decoded; one that is not a change event this connector can apply goes to Connect's errant record
     * reporter when there is one (with {@code errors.tolerance=all}, the dead letter queue), and is skipped.
     * Without one, or with {@code errors.tolerance=none}, the task fails naming the record.
     */
    private ChangeDecoder.Decoded decode(SinkRecord r) {
        try {
            return decoder.decode(r);
        } catch (PgFerryException e) {
            ErrantRecordReporter reporter = errantRecords();
            if (reporter == null) {
                throw e;
            }
            try {
                reporter.report(r, e).get();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw PgFerryException.retriable(
                        "interrupted while reporting an errant record", "nothing to do: the batch is retried", ie);
            } catch (java.util.concurrent.ExecutionException | RuntimeException failed) {
                // errors.tolerance=none: the reporter fails the task, with the record's own error.
                throw e;
            }
            log.warn("{}; reported to Connect's errant record reporter and skipped", e.problem());
            return ChangeDecoder.SKIP;
        }
    }

    private ErrantRecordReporter errantRecords() {
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            return null; // a worker older than Kafka 2.6
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        if (sink != null && !committed.isEmpty()) {
            try {
                long upTo = sink.durablePosition().value();
                while (!committed.isEmpty() && committed.peekFirst().getKey() <= upTo) {
                    durable.putAll(committed.removeFirst().getValue());
                }
            } catch (PgFerryException e) {
                log.warn(
                        "could not learn which batches are durable at {}; offsets are committed later: {}",
                        target,
                        e.getMessage());
            }
        }
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (Map.Entry<TopicPartition, Long> e : durable.entrySet()) {
            if (assigned.contains(e.getKey())) {
                out.put(e.getKey(), new OffsetAndMetadata(e.getValue()));
            }
        }
        return out;
    }

    @Override
    public void stop() {
        reset();
    }

    /**
     * Runs a step; a {@link PgFerryException} rolls the batch back and drops the connections, then becomes a
     * {@link RetriableException} (Connect hands the same records again, and the offsets are read again first) or a
     * {@link ConnectException} that fails the task.
     */
    private void run(Runnable step) {
        try {
            step.run();
        } catch (PgFerryException e) {
            if (ledger != null) {
                ledger.clear();
            }
            reset();
            if (e.isRetriable()) {
                log.warn("{}; retrying", e.getMessage());
                throw new RetriableException(e.getMessage(), e);
            }
            throw new ConnectException(e.getMessage(), e);
        }
    }

    private void reset() {
        if (sink != null) {
            sink.rollback();
            sink.close();
            sink = null;
        }
        Target.closeQuietly(ddl);
        ddl = null;
        committed.clear();
        if (tables != null) {
            tables.forget();
        }
    }
}
