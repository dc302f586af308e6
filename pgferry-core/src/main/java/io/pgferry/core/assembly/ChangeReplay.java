package io.pgferry.core.assembly;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.ParserOptions;
import io.pgferry.core.pgoutput.PgOutputMessage;
import io.pgferry.core.pgoutput.PgOutputParser;
import io.pgferry.core.pgoutput.ProtocolException;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.value.TypeResolver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;

/**
 * Turns the raw messages of a buffered transaction back into {@link ChangeEvent}s, in order. Relation messages found
 * in the buffer describe the rows after them (they shadow the connection-wide cache for this transaction only).
 */
final class ChangeReplay implements Iterator<ChangeEvent> {
    private final SpillBuffer.RecordCursor cursor;
    private final ParserOptions options;
    private final boolean streamed;
    /** The connection-wide relations; a copy once the transaction is retained. */
    private IntFunction<Relation> shared;

    private final TypeResolver types;
    private final Map<Integer, Relation> local = new HashMap<>();
    private final IntFunction<Relation> relations = this::relation;
    private ChangeEvent next;
    private boolean done;

    ChangeReplay(
            SpillBuffer.RecordCursor cursor,
            ParserOptions options,
            boolean streamed,
            RelationCache cache,
            TypeResolver types) {
        this.cursor = cursor;
        this.options = options;
        this.streamed = streamed;
        this.shared = cache::get;
        this.types = types;
    }

    /**
     * From now on reads relations from {@code relations} (the cache as it is at delivery) instead of the cache, which
     * the stream thread goes on updating while a retained transaction is read on another.
     */
    void detach(Map<Integer, Relation> relations) {
        shared = relations::get;
    }

    @Override
    public boolean hasNext() {
        while (next == null && !done) {
            if (!cursor.next()) {
                done = true;
                cursor.close();
                break;
            }
            byte[] m = cursor.message();
            PgOutputMessage message = PgOutputParser.parse(m, 0, m.length, options, streamed);
            if (message instanceof PgOutputMessage.Relation r) {
                Relation relation = RelationCache.toRelation(r);
                local.put(relation.oid(), relation);
            } else {
                next = toEvent(message, Lsn.of(cursor.lsn()), relations, types);
            }
        }
        return next != null;
    }

    @Override
    public ChangeEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ChangeEvent e = next;
        next = null;
        return e;
    }

    /**
     * The event of a change message (row change, truncate, transactional message); null for any other message.
     * {@code relations} gives the relation of an OID as it was when the change was made, or throws.
     */
    static ChangeEvent toEvent(PgOutputMessage message, Lsn lsn, IntFunction<Relation> relations, TypeResolver types) {
        if (message instanceof PgOutputMessage.Insert m) {
            Relation r = relations.apply(m.relationOid());
            return new ChangeEvent.Insert(lsn, r, row(r, m.newTuple(), false, types));
        } else if (message instanceof PgOutputMessage.Update m) {
            Relation r = relations.apply(m.relationOid());
            Row before = m.oldTuple() == null ? null : row(r, m.oldTuple(), m.oldKind() == 'K', types);
            return new ChangeEvent.Update(lsn, r, before, row(r, m.newTuple(), false, types));
        } else if (message instanceof PgOutputMessage.Delete m) {
            Relation r = relations.apply(m.relationOid());
            return new ChangeEvent.Delete(lsn, r, row(r, m.oldTuple(), m.oldKind() == 'K', types));
        } else if (message instanceof PgOutputMessage.Truncate m) {
            List<Relation> truncated = new ArrayList<>(m.relationOids().length);
            for (int oid : m.relationOids()) {
                truncated.add(relations.apply(oid));
            }
            return new ChangeEvent.Truncate(lsn, truncated, m.cascade(), m.restartIdentity());
        } else if (message instanceof PgOutputMessage.LogicalMessage m) {
            return new ChangeEvent.Message(lsn, m.prefix(), m.content(), m.transactional());
        }
        return null;
    }

    /** The relation of a change made after the given Relation messages, or a protocol error naming the OID. */
    static Relation knownRelation(Relation r, int oid) {
        if (r == null) {
            throw new ProtocolException("change for relation " + oid + " before its Relation message");
        }
        return r;
    }

    private Relation relation(int oid) {
        Relation r = local.get(oid);
        return knownRelation(r == null ? shared.apply(oid) : r, oid);
    }

    private static Row row(Relation r, TupleData data, boolean keyOnly, TypeResolver types) {
        if (data.size() != r.columns().size()) {
            throw new ProtocolException("row of " + data.size() + " columns for relation " + r.oid() + " of "
                    + r.columns().size() + " columns");
        }
        return new Row(r, data, types, keyOnly);
    }
}
