package io.pgferry.kafka.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.value.TypeResolver;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Encodes the records of changes ({@link ChangeRecords} says which) as Kafka records of JSON bytes, in the form Kafka
 * Connect's JsonConverter gives Debezium's events, with or without schemas.
 *
 * <p>Not thread-safe: one per sink.
 */
public final class EventRecords extends ChangeRecords<TableShape, byte[], EventRecords.Origin> {
    /** Where the events of a change come from: its source transaction, if any. */
    public record Origin(long xid, Instant commitTime, TransactionBlock block) {}

    private static final SerializedString BEFORE = new SerializedString("before");
    private static final SerializedString AFTER = new SerializedString("after");
    private static final SerializedString TRANSACTION = new SerializedString("transaction");
    private static final SerializedString OP = new SerializedString("op");
    private static final SerializedString TS_MS = new SerializedString("ts_ms");
    private static final SerializedString TS_US = new SerializedString("ts_us");
    private static final SerializedString TS_NS = new SerializedString("ts_ns");

    private final Topics topics;
    private final Function<Relation, TableFacts> facts;
    private final RecordWriter writer = new RecordWriter();
    private final SourceBlock source;
    private final boolean schemas;
    private final Clock clock;
    /** Where {@link #add} puts the records; set for each call. */
    private List<OutRecord> out;

    public EventRecords(Topics topics, SourceBlock source, boolean schemas, boolean tombstones, Clock clock) {
        this(topics, source, schemas, tombstones, clock, r -> TableFacts.NONE);
    }

    /** @param facts what the source's catalog says of each table (see {@link TableFacts}) */
    public EventRecords(
            Topics topics,
            SourceBlock source,
            boolean schemas,
            boolean tombstones,
            Clock clock,
            Function<Relation, TableFacts> facts) {
        super(tombstones);
        this.facts = facts;
        this.topics = topics;
        this.source = source;
        this.schemas = schemas;
        this.clock = clock;
    }

    /** Adds the records of {@code change} to {@code out}, in the order they are to be sent. */
    public void add(ChangeEvent change, Origin origin, List<OutRecord> out) {
        this.out = out;
        records(change, origin);
    }

    @Override
    protected TableShape newLayout(Relation relation, TypeResolver types) {
        return new TableShape(relation, types, topics, facts.apply(relation));
    }

    @Override
    protected byte[] key(TableShape shape, Row row, Row oldKey) {
        return writer.record(schemas, shape.keySchema(), g -> RowJson.key(g, shape, row, oldKey));
    }

    @Override
    protected void rowEvent(
            TableShape shape, Origin origin, String op, byte[] key, Row before, Row after, Lsn lsn, boolean snapshot) {
        List<String> unchanged = UnchangedToast.columns(after);
        out.add(new OutRecord(
                shape.topic(),
                key,
                envelope(shape, origin, op, before, after, lsn, snapshot),
                unchanged.isEmpty() ? null : UnchangedToast.bytes(unchanged)));
    }

    @Override
    protected void tombstone(TableShape shape, byte[] key) {
        out.add(new OutRecord(shape.topic(), key, null));
    }

    @Override
    protected void truncate(TableShape shape, Origin origin, Lsn lsn) {
        out.add(new OutRecord(shape.topic(), null, envelope(shape, origin, "t", null, null, lsn, false)));
    }

    @Override
    protected void message(ChangeEvent.Message m, Origin origin) {
        out.add(MessageEvent.record(topics.message(), source, schemas, m, origin, now()));
    }

    private byte[] envelope(
            TableShape shape, Origin origin, String op, Row before, Row after, Lsn lsn, boolean snapshot) {
        Instant now = now();
        TransactionBlock block = origin.block();
        if (block != null) {
            block.count(shape.dataCollection());
        }
        Instant at = origin.commitTime() != null ? origin.commitTime() : now;
        Relation r = shape.relation();
        return writer.record(schemas, shape.envelopeSchema(), g -> {
            g.writeStartObject();
            g.writeFieldName(BEFORE);
            row(g, shape, before);
            g.writeFieldName(AFTER);
            row(g, shape, after);
            source.write(g, at, snapshot, r.schema(), r.table(), origin.xid(), lsn);
            if (block != null) {
                block.write(g, shape.dataCollection());
            } else {
                g.writeFieldName(TRANSACTION);
                g.writeNull();
            }
            g.writeFieldName(OP);
            g.writeString(op);
            writeTimes(g, now);
            g.writeEndObject();
        });
    }

    static void writeTimes(JsonGenerator g, Instant now) throws IOException {
        g.writeFieldName(TS_MS);
        g.writeNumber(now.toEpochMilli());
        g.writeFieldName(TS_US);
        g.writeNumber(SourceBlock.micros(now));
        g.writeFieldName(TS_NS);
        g.writeNumber(SourceBlock.micros(now) * 1000 + now.getNano() % 1000);
    }

    private static void row(JsonGenerator g, TableShape shape, Row row) throws IOException {
        if (row == null) {
            g.writeNull();
        } else {
            RowJson.row(g, shape, row);
        }
    }

    private Instant now() {
        return clock.instant();
    }
}
