package io.pgferry.connect.sink;

import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.core.value.PgArray;
import io.pgferry.core.value.PgValues;
import io.pgferry.core.value.TypeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The PostgreSQL type of one field of a change event's row, and how its Connect value becomes PostgreSQL's text. Two
 * types are kept apart: the <em>declared</em> type, which a created column gets and which a foreign destination's
 * type mapping converts by ({@code __debezium.source.column.type} when the record carries it, else the type the
 * Connect schema implies), and the <em>rendered</em> type, which the Connect schema implies and whose text output the
 * value is written as. The text of the rendered type is always valid input for the declared one (an int4's text for
 * an int2 column, a numeric's text for money).
 *
 * @param declaredOid the OID of the declared built-in type
 * @param typmod the declared type's modifier, -1 for none
 * @param renderedOid the OID the value is rendered as
 * @param decode the Connect value to the Java value {@link PgValues} holds for {@code renderedOid}; the identity for a
 *     value that is already the text
 * @param textual whether the decoded value is already the text
 */
record FieldType(int declaredOid, int typmod, int renderedOid, Function<Object, Object> decode, boolean textual) {
    /** The element type of an array: its declared and rendered types are the arrays of these. */
    FieldType arrayOf() {
        TypeInfo declared = BuiltinTypes.byName("_" + name(declaredOid));
        TypeInfo rendered = BuiltinTypes.byName("_" + name(renderedOid));
        if (declared == null || rendered == null) {
            return null;
        }
        FieldType element = this;
        return new FieldType(
                declared.oid(),
                typmod,
                rendered.oid(),
                v -> {
                    List<Object> out = new ArrayList<>();
                    for (Object e : (List<?>) v) {
                        out.add(e == null ? null : element.javaValue(e));
                    }
                    return PgArray.of(element.renderedOid, out);
                },
                false);
    }

    /** The value as {@link PgValues} holds it for the rendered type. */
    Object javaValue(Object connectValue) {
        Object v = decode.apply(connectValue);
        return textual ? PgValues.fromText(renderedOid, (String) v, BuiltinTypes.builtin()) : v;
    }

    /** PostgreSQL's text of a non-null Connect value. */
    String text(Object connectValue) {
        Object v = decode.apply(connectValue);
        return textual ? (String) v : PgValues.toText(renderedOid, v, BuiltinTypes.builtin());
    }

    /** The same rendering, declared as {@code oid} with {@code modifier}. */
    FieldType declaredAs(int oid, int modifier) {
        return new FieldType(oid, modifier, renderedOid, decode, textual);
    }

    private static String name(int oid) {
        TypeInfo t = BuiltinTypes.builtin().resolve(oid);
        return t == null ? "" : t.name();
    }
}
