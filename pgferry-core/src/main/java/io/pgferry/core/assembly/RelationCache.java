package io.pgferry.core.assembly;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.pgoutput.PgOutputMessage;
import io.pgferry.core.pgoutput.ProtocolException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The relations the server has described on this connection, by OID. pgoutput sends a Relation message before the
 * first change to a table on a connection and again after its schema changes, so the latest one always describes the
 * rows that follow it. Stream thread only.
 */
final class RelationCache {
    private final Map<Integer, Relation> byOid = new HashMap<>();

    static Relation toRelation(PgOutputMessage.Relation m) {
        List<Column> columns = m.columns().stream()
                .map(c -> new Column(c.name(), c.typeOid(), c.typeModifier(), c.isKey()))
                .toList();
        ReplicaIdentity identity;
        try {
            identity = ReplicaIdentity.fromCode(m.replicaIdentity());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("relation " + m.oid() + " has unknown replica identity " + m.replicaIdentity());
        }
        return new Relation(m.oid(), m.namespace(), m.name(), identity, columns);
    }

    Relation put(PgOutputMessage.Relation m) {
        Relation r = toRelation(m);
        byOid.put(r.oid(), r);
        return r;
    }

    Relation get(int oid) {
        return byOid.get(oid);
    }

    /** A copy, for a transaction read on another thread after later Relation messages may have arrived. */
    Map<Integer, Relation> snapshot() {
        return Map.copyOf(byOid);
    }

    void clear() {
        byOid.clear();
    }
}
