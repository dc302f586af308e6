package io.pgferry.connect.sink;

import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.kafka.event.ConnectValues;
import io.pgferry.kafka.event.TableLayout;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * A source table as the change events of one row schema describe it: a {@link Relation} whose columns are the
 * schema's fields with their {@link FieldType}s, the record key's fields forming the key. A table whose records have
 * no key has replica identity FULL: its rows are matched on all their values, as pgferry's sync matches them.
 */
final class Shape {
    final Relation relation;
    private final Field[] fields;
    private final FieldType[] types;
    /** Each field's {@link TableLayout#MISSING_VALUE_PARAMETER}, or null for none. */
    private final String[] existing;

    private Shape(Relation relation, Field[] fields, FieldType[] types, String[] existing) {
        this.relation = relation;
        this.fields = fields;
        this.types = types;
        this.existing = existing;
    }

    /**
     * @param rowSchema the schema of the envelope's {@code before} and {@code after}
     * @param keyFields the names of the record key's fields; empty for a table without a key
     * @throws IllegalArgumentException naming the field whose type no column can hold
     */
    static Shape of(String schema, String table, Schema rowSchema, Set<String> keyFields) {
        List<Field> fs = rowSchema.fields();
        Field[] fields = fs.toArray(new Field[0]);
        FieldType[] types = new FieldType[fields.length];
        String[] existing = new String[fields.length];
        List<Column> columns = new ArrayList<>();
        for (int i = 0; i < fields.length; i++) {
            try {
                types[i] = FieldTypes.of(fields[i].schema());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("column " + fields[i].name() + ": " + e.getMessage(), e);
            }
            columns.add(new Column(
                    fields[i].name(), types[i].declaredOid(), types[i].typmod(), keyFields.contains(fields[i].name())));
            Map<String, String> parameters = fields[i].schema().parameters();
            existing[i] = parameters == null ? null : parameters.get(TableLayout.MISSING_VALUE_PARAMETER);
        }
        boolean keyed = columns.stream().anyMatch(Column::key);
        Relation relation = new Relation(
                (schema + "." + table).hashCode(),
                schema,
                table,
                keyed ? ReplicaIdentity.DEFAULT : ReplicaIdentity.FULL,
                columns);
        return new Shape(relation, fields, types, existing);
    }

    /**
     * What the rows a destination held before the column was added hold in it, in PostgreSQL's text form, or null:
     * the value pgferry's records give as the field parameter {@link TableLayout#MISSING_VALUE_PARAMETER} (what the
     * source's rows read in a column added with a default). A field's schema default is not that value: Debezium's
     * connector gives there the column's default expression as far as it can render it (the epoch for {@code now()},
     * which the source evaluated once, at the ALTER TABLE), so it is not used.
     */
    String existingText(String column) {
        int i = relation.indexOf(column);
        return i < 0 ? null : existing[i];
    }

    /**
     * The row of {@code struct} in PostgreSQL's text form.
     *
     * @param keyOnly an old key: only the key columns are read
     * @param toast whether Debezium's placeholder for an unchanged TOAST value marks a column as not sent (the
     *     {@code after} of an update)
     * @throws RuntimeException from a decoder, for a value its schema does not describe
     */
    Row row(Struct struct, boolean keyOnly, boolean toast) {
        return row(struct, keyOnly, toast, null);
    }

    /** An update's new row, the columns named in {@code unchanged} marked as not sent (pgferry's header says so). */
    Row row(Struct struct, Set<String> unchanged) {
        return row(struct, false, false, unchanged);
    }

    private Row row(Struct struct, boolean keyOnly, boolean toast, Set<String> unchanged) {
        int n = fields.length;
        byte[] kinds = new byte[n];
        int[] offsets = new int[n];
        int[] lengths = new int[n];
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * n);
        for (int i = 0; i < n; i++) {
            Column c = relation.columns().get(i);
            // Without the default: Struct.get gives a field's schema default for a NULL, which a column with a
            // default would then hold instead of the NULL the source wrote.
            Object v = keyOnly && !c.key() ? null : struct.getWithoutDefault(fields[i].name());
            if (unchanged != null && !c.key() && unchanged.contains(c.name())) {
                kinds[i] = TupleData.UNCHANGED_TOAST;
            } else if (v == null) {
                kinds[i] = TupleData.NULL;
            } else if (toast && !c.key() && ConnectValues.isUnavailable(v)) {
                kinds[i] = TupleData.UNCHANGED_TOAST;
            } else {
                byte[] text;
                try {
                    text = types[i].text(v).getBytes(StandardCharsets.UTF_8);
                } catch (RuntimeException e) {
                    // The value itself is never quoted: it may be sensitive.
                    throw new IllegalArgumentException(
                            "column " + c.name() + " holds a value its Connect schema does not describe ("
                                    + e.getClass().getSimpleName() + ")",
                            e);
                }
                kinds[i] = TupleData.TEXT;
                offsets[i] = buffer.size();
                lengths[i] = text.length;
                buffer.write(text, 0, text.length);
            }
        }
        return new Row(
                relation,
                new TupleData(buffer.toByteArray(), kinds, offsets, lengths),
                BuiltinTypes.builtin(),
                keyOnly);
    }
}
