package io.pgferry.cli.json;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.pgferry.core.event.Relation;
import io.pgferry.core.value.JsonKind;
import io.pgferry.core.value.PgValues;
import io.pgferry.core.value.TypeResolver;

/**
 * What {@link ChangeJson} needs of a relation for every row, worked out once: its names already JSON-encoded, which
 * columns are key columns, and how each column's values are written. Valid for one Relation object, which the stream
 * never changes (a new description of the table comes as a new object).
 */
final class RelationShape {
    private final Relation relation;
    private final SerializableString schema;
    private final SerializableString table;
    private final SerializableString[] names;
    private final boolean[] key;
    private final boolean hasKey;
    private TypeResolver kindsResolver;
    private JsonKind[] kinds;

    RelationShape(Relation relation) {
        this.relation = relation;
        this.schema = new SerializedString(relation.schema());
        this.table = new SerializedString(relation.table());
        int n = relation.columns().size();
        this.names = new SerializableString[n];
        this.key = new boolean[n];
        boolean anyKey = false;
        for (int i = 0; i < n; i++) {
            names[i] = new SerializedString(relation.columns().get(i).name());
            key[i] = relation.columns().get(i).key();
            anyKey |= key[i];
        }
        this.hasKey = anyKey;
    }

    Relation relation() {
        return relation;
    }

    SerializableString schema() {
        return schema;
    }

    SerializableString table() {
        return table;
    }

    SerializableString name(int column) {
        return names[column];
    }

    boolean isKey(int column) {
        return key[column];
    }

    boolean hasKey() {
        return hasKey;
    }

    /** Each column's {@link JsonKind} as {@code types} resolves it; resolved again only for another resolver. */
    JsonKind[] kinds(TypeResolver types) {
        if (kinds == null || kindsResolver != types) {
            JsonKind[] resolved = new JsonKind[names.length];
            for (int i = 0; i < resolved.length; i++) {
                resolved[i] = PgValues.jsonKind(relation.columns().get(i).typeOid(), types);
            }
            kinds = resolved;
            kindsResolver = types;
        }
        return kinds;
    }
}
