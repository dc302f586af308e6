package io.pgferry.connect.sink;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.kafka.event.UnchangedToast;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns change-event records in Debezium's envelope ({@code before}, {@code after}, {@code source}, {@code op}), as
 * pgferry's source connector and Debezium's PostgreSQL connector write them, into pgferry's changes: {@code c} and
 * {@code r} into inserts, {@code u} into updates, {@code d} into deletes, {@code t} into a TRUNCATE. Tombstones and
 * logical messages ({@code m}) carry no row and are skipped, as are the heartbeats and transaction boundaries a
 * {@code topics.regex} may catch. The table is the envelope's {@code source.schema} and
 * {@code source.table}. Records without a Connect schema are refused: the types of the columns come from it.
 *
 * <p>One {@link Shape} is kept per row schema, so the changes of a table share one {@link Relation} until its schema
 * changes. One thread uses an instance.
 */
final class ChangeDecoder {
    /** The shape of each row schema seen (converters hand the same schema instance for equal schemas). */
    private final Map<Schema, Shape> shapes = new IdentityHashMap<>();
    /** The last shape of each table, for TRUNCATE, which carries no row schema. */
    private final Map<String, Shape> lastOfTable = new HashMap<>();

    /**
     * A decoded record.
     *
     * @param change null for a record that carries no change (a tombstone, a logical message)
     * @param shape the table's shape; null for a TRUNCATE of a table no row was seen of, and for skipped records
     */
    record Decoded(ChangeEvent change, Shape shape, boolean snapshot) {}

    static final Decoded SKIP = new Decoded(null, null, false);

    private static final String NOT_ENVELOPE_FIX =
            "list only the change-event topics of a source connector in topics or"
                    + " topics.regex, and unwrap no envelope before this connector (or set errors.tolerance=all to send such"
                    + " records to the dead letter queue)";

    /** Records of a source connector's own topics, which a topics.regex may catch beside the tables' topics. */
    private static final java.util.Set<String> NOT_CHANGES = java.util.Set.of(
            "io.debezium.connector.common.Heartbeat", "io.debezium.connector.common.TransactionMetadataValue");

    /** @throws PgFerryException (fatal) naming topic, partition and offset for a record that is not a change event */
    Decoded decode(SinkRecord r) {
        if (r.value() == null) {
            return SKIP;
        }
        if (r.valueSchema() == null) {
            throw bad(
                    r,
                    "has no Connect schema",
                    "read the topic with a converter that carries schemas (the JSON"
                            + " converter with schemas.enable=true, Avro, Protobuf)");
        }
        if (!(r.value() instanceof Struct value)) {
            throw bad(
                    r,
                    "is not a change event in Debezium's envelope (its value is a "
                            + r.valueSchema().type().getName() + ")",
                    NOT_ENVELOPE_FIX);
        }
        Schema schema = value.schema();
        if (schema.name() != null && NOT_CHANGES.contains(schema.name())) {
            return SKIP;
        }
        Field op = schema.field("op");
        Field source = schema.field("source");
        Field before = schema.field("before");
        Field after = schema.field("after");
        if (op == null || source == null || (before == null && after == null)) {
            throw bad(
                    r,
                    "is not a change event in Debezium's envelope (no op, source, before and after)",
                    "list only the change-event topics of the source connector in topics or topics.regex (not its"
                            + " heartbeat or transaction topics), and unwrap no envelope before this connector");
        }
        String code = value.getString("op");
        Struct src = value.getStruct("source");
        String tableSchema = src.schema().field("schema") == null ? null : src.getString("schema");
        String table = src.schema().field("table") == null ? null : src.getString("table");
        if ("m".equals(code)) {
            return SKIP;
        }
        if (tableSchema == null || table == null) {
            throw bad(r, "names no source.schema and source.table", "deliver change events of PostgreSQL tables");
        }
        Lsn lsn = lsn(src);
        String tableKey = tableSchema + "\u0000" + table;
        if ("t".equals(code)) {
            Shape last = lastOfTable.get(tableKey);
            Relation rel = last != null
                    ? last.relation
                    : new Relation(0, tableSchema, table, ReplicaIdentity.DEFAULT, List.of());
            return new Decoded(new ChangeEvent.Truncate(lsn, List.of(rel), false, false), last, false);
        }
        Schema rowSchema = (after != null ? after : before).schema();
        Shape shape = shapes.get(rowSchema);
        if (shape == null) {
            try {
                shape = Shape.of(tableSchema, table, rowSchema, keyFields(r));
            } catch (IllegalArgumentException e) {
                throw bad(
                        r,
                        "of table " + tableSchema + "." + table + " has " + e.getMessage(),
                        "leave the column out of the source's publication, or cast it at the source");
            }
            shapes.put(rowSchema, shape);
        }
        lastOfTable.put(tableKey, shape);
        Struct b = before == null ? null : value.getStruct("before");
        Struct a = after == null ? null : value.getStruct("after");
        boolean full = shape.relation.replicaIdentity() == ReplicaIdentity.FULL;
        try {
            return switch (code) {
                case "c", "r" -> new Decoded(
                        new ChangeEvent.Insert(lsn, shape.relation, row(r, shape, a, false, false)),
                        shape,
                        code.equals("r"));
                case "u" -> new Decoded(
                        new ChangeEvent.Update(
                                lsn,
                                shape.relation,
                                b == null ? null : shape.row(b, !full, false),
                                afterOfUpdate(r, shape, a)),
                        shape,
                        false);
                case "d" -> new Decoded(
                        new ChangeEvent.Delete(lsn, shape.relation, row(r, shape, b, !full, false)), shape, false);
                default -> throw bad(r, "has op '" + code + "', which is not a change", "deliver change events");
            };
        } catch (IllegalArgumentException e) {
            throw bad(
                    r,
                    "of table " + tableSchema + "." + table + ": " + e.getMessage(),
                    "check the converter the topic is read with matches the one it was written with");
        }
    }

    /**
     * An update's new row. The columns the server did not send (unchanged TOAST) are those pgferry's header names,
     * when the record has it (an array of numbers can hold no placeholder, so only the header tells them from a
     * NULL); else those holding Debezium's placeholder.
     */
    private static io.pgferry.core.event.Row afterOfUpdate(SinkRecord r, Shape shape, Struct after) {
        Header h = r.headers().lastWithName(UnchangedToast.HEADER);
        if (h == null || after == null) {
            return row(r, shape, after, false, true);
        }
        Set<String> unchanged;
        try {
            unchanged = UnchangedToast.parse(h.value());
        } catch (IllegalArgumentException e) {
            throw bad(r, "has a malformed header: " + e.getMessage(), "deliver the headers pgferry writes unchanged");
        }
        return shape.row(after, unchanged);
    }

    private static io.pgferry.core.event.Row row(SinkRecord r, Shape shape, Struct s, boolean keyOnly, boolean toast) {
        if (s == null) {
            throw bad(
                    r,
                    "lacks the row its op needs (before for a delete, after for an insert or update)",
                    "for deletes of a table without a key, set REPLICA IDENTITY FULL at the source");
        }
        return shape.row(s, keyOnly, toast);
    }

    private static Set<String> keyFields(SinkRecord r) {
        Set<String> names = new LinkedHashSet<>();
        if (r.key() instanceof Struct k) {
            for (Field f : k.schema().fields()) {
                names.add(f.name());
            }
        }
        return names;
    }

    private static Lsn lsn(Struct src) {
        if (src.schema().field("lsn") != null) {
            Long l = src.getInt64("lsn");
            if (l != null) {
                return Lsn.of(l);
            }
        }
        return Lsn.INVALID;
    }

    private static PgFerryException bad(SinkRecord r, String problem, String fix) {
        return PgFerryException.fatal(
                "the record at " + r.topic() + "-" + r.kafkaPartition() + " offset " + r.kafkaOffset() + " " + problem,
                fix);
    }
}
