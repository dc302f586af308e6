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

/**
 * Turns the raw messages of a buffered transaction back into {@link ChangeEvent}s, in order. Relation messages found
 * in the buffer describe the rows after them (they shadow the connection-wide cache for this transaction only).
 */
final class ChangeReplay implements Iterator<ChangeEvent> {
    private final SpillBuffer.RecordCursor cursor;
    private final ParserOptions options;
    private final boolean streamed;
    private final RelationCache cache;
    private final TypeResolver types;
    private final Map<Integer, Relation> local = new HashMap<>();
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
        this.cache = cache;
        this.types = types;
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
            next = toEvent(PgOutputParser.parse(m, 0, m.length, options, streamed), Lsn.of(cursor.lsn()));
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

    private ChangeEvent toEvent(PgOutputMessage message, Lsn lsn) {
        if (message instanceof PgOutputMessage.Insert m) {
            Relation r = relation(m.relationOid());
            return new ChangeEvent.Insert(lsn, r, row(r, m.newTuple(), false));
        } else if (message instanceof PgOutputMessage.Update m) {
            Relation r = relation(m.relationOid());
            Row before = m.oldTuple() == null ? null : row(r, m.oldTuple(), m.oldKind() == 'K');
            return new ChangeEvent.Update(lsn, r, before, row(r, m.newTuple(), false));
        } else if (message instanceof PgOutputMessage.Delete m) {
            Relation r = relation(m.relationOid());
            return new ChangeEvent.Delete(lsn, r, row(r, m.oldTuple(), m.oldKind() == 'K'));
        } else if (message instanceof PgOutputMessage.Truncate m) {
            List<Relation> relations = new ArrayList<>(m.relationOids().length);
            for (int oid : m.relationOids()) {
                relations.add(relation(oid));
            }
            return new ChangeEvent.Truncate(lsn, relations, m.cascade(), m.restartIdentity());
        } else if (message instanceof PgOutputMessage.LogicalMessage m) {
            return new ChangeEvent.Message(lsn, m.prefix(), m.content(), m.transactional());
        } else if (message instanceof PgOutputMessage.Relation m) {
            Relation r = RelationCache.toRelation(m);
            local.put(r.oid(), r);
            return null;
        }
        return null;
    }

    private Relation relation(int oid) {
        Relation r = local.get(oid);
        if (r == null) {
            r = cache.get(oid);
        }
        if (r == null) {
            throw new ProtocolException("change for relation " + oid + " before its Relation message");
        }
        return r;
    }

    private Row row(Relation r, TupleData data, boolean keyOnly) {
        if (data.size() != r.columns().size()) {
            throw new ProtocolException("row of " + data.size() + " columns for relation " + r.oid() + " of "
                    + r.columns().size() + " columns");
        }
        return new Row(r, data, types, keyOnly);
    }
}
