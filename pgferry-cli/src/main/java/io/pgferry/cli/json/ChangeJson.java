package io.pgferry.cli.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.value.JsonKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Writes changes as JSON objects, one per line: {@code op, schema, table, key, before, after, unchanged_toast, lsn,
 * commit_lsn, xid, commit_ts}. Every line has every one of these fields but {@code unchanged_toast} (null where it
 * does not apply: a message has no schema, table or row), so readers need not test for their presence; truncate
 * lines add {@code cascade, restart_identity}, message lines {@code prefix, content, transactional}. Values follow
 * {@link ValueJson}. A TRUNCATE of several tables gives one line per table.
 *
 * <p>The transaction's fields ({@code commit_lsn, xid, commit_ts}) come last and are the same on every line of a
 * transaction, so they are rendered once per transaction ({@link #transactionFields}) and written as they are. A line
 * can also be written without them ({@code "lsn"} is then its last field), to be completed later by inserting them
 * before its closing brace: the stream encodes a change before its transaction's commit is known.
 *
 * <p>Not thread-safe: it keeps a per-relation cache of encoded column names and value kinds. The generator is the
 * caller's.
 */
public final class ChangeJson {
    private static final SerializableString OP = new SerializedString("op");
    private static final SerializableString SCHEMA = new SerializedString("schema");
    private static final SerializableString TABLE = new SerializedString("table");
    private static final SerializableString KEY = new SerializedString("key");
    private static final SerializableString BEFORE = new SerializedString("before");
    private static final SerializableString AFTER = new SerializedString("after");
    private static final SerializableString UNCHANGED_TOAST = new SerializedString("unchanged_toast");
    private static final SerializableString LSN = new SerializedString("lsn");
    private static final SerializableString INSERT = new SerializedString("insert");
    private static final SerializableString UPDATE = new SerializedString("update");
    private static final SerializableString DELETE = new SerializedString("delete");
    private static final SerializableString READ = new SerializedString("read");

    private final ValueJson values = new ValueJson();
    /**
     * The shape of each relation seen, by OID. An entry is valid only for the very Relation object it was built
     * from: the stream replaces a relation's object whenever the server describes it again (its columns or their
     * types may have changed), and keying by OID keeps one entry per table however often that happens.
     */
    private final Map<Integer, RelationShape> shapes = new HashMap<>();

    private RelationShape lastShape;

    /**
     * The transaction's fields as they end each of its lines: {@code ,"commit_lsn":...,"xid":...,"commit_ts":...}
     * (xid and commit_ts null for snapshot rows and non-transactional messages: the server records neither for them).
     */
    public static String transactionFields(Transaction tx) {
        StringBuilder b = new StringBuilder(96);
        // LSNs and ISO-8601 instants hold no character JSON needs escaped.
        b.append(",\"commit_lsn\":\"").append(tx.commitLsn()).append('"');
        b.append(",\"xid\":");
        if (tx.xid() == 0) {
            b.append("null");
        } else {
            b.append(tx.xid());
        }
        b.append(",\"commit_ts\":");
        if (tx.commitTime() == null) {
            b.append("null");
        } else {
            b.append('"').append(tx.commitTime()).append('"');
        }
        return b.toString();
    }

    /**
     * Writes every line of {@code change}, each followed by a newline; {@code transactionFields} (from
     * {@link #transactionFields}, or empty to leave them out) is written after {@code lsn}, before the closing brace.
     */
    public void write(JsonGenerator g, ChangeEvent change, String transactionFields) throws IOException {
        if (change instanceof ChangeEvent.Insert c) {
            row(g, INSERT, c.relation(), c.after(), null, c.after());
        } else if (change instanceof ChangeEvent.Update c) {
            row(g, UPDATE, c.relation(), c.before() != null ? c.before() : c.after(), c.before(), c.after());
        } else if (change instanceof ChangeEvent.Delete c) {
            row(g, DELETE, c.relation(), c.before(), c.before(), null);
        } else if (change instanceof ChangeEvent.Read c) {
            row(g, READ, c.relation(), c.after(), null, c.after());
        } else if (change instanceof ChangeEvent.Truncate c) {
            for (Relation r : c.relations()) {
                RelationShape shape = shape(r);
                g.writeStartObject();
                g.writeStringField("op", "truncate");
                g.writeFieldName(SCHEMA);
                g.writeString(shape.schema());
                g.writeFieldName(TABLE);
                g.writeString(shape.table());
                noRow(g);
                g.writeBooleanField("cascade", c.cascade());
                g.writeBooleanField("restart_identity", c.restartIdentity());
                end(g, change, transactionFields);
            }
            return;
        } else if (change instanceof ChangeEvent.Message c) {
            g.writeStartObject();
            g.writeStringField("op", "message");
            g.writeNullField("schema");
            g.writeNullField("table");
            noRow(g);
            g.writeStringField("prefix", c.prefix());
            g.writeStringField("content", "\\x" + HexFormat.of().formatHex(c.content()));
            g.writeStringField("content_text", utf8(c.content()));
            g.writeBooleanField("transactional", c.transactional());
        } else {
            return;
        }
        end(g, change, transactionFields);
    }

    /** The content as text when it is valid UTF-8 (what most messages are), for a person to read; else null. */
    static String utf8(byte[] content) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private void row(JsonGenerator g, SerializableString op, Relation r, Row keySource, Row before, Row after)
            throws IOException {
        RelationShape shape = shape(r);
        // Every row of a change comes from the same stream, so any of them has the resolver for all.
        JsonKind[] kinds = shape.kinds(keySource.types());
        g.writeStartObject();
        g.writeFieldName(OP);
        g.writeString(op);
        g.writeFieldName(SCHEMA);
        g.writeString(shape.schema());
        g.writeFieldName(TABLE);
        g.writeString(shape.table());
        g.writeFieldName(KEY);
        key(g, shape, kinds, keySource);
        g.writeFieldName(BEFORE);
        values(g, shape, kinds, before);
        g.writeFieldName(AFTER);
        values(g, shape, kinds, after);
        if (after != null) {
            unchangedToast(g, shape, after);
        }
    }

    /** The position fields, then the closing brace and the newline. */
    private static void end(JsonGenerator g, ChangeEvent c, String transactionFields) throws IOException {
        g.writeFieldName(LSN);
        g.writeString(c.lsn().toString());
        if (!transactionFields.isEmpty()) {
            g.writeRaw(transactionFields);
        }
        g.writeEndObject();
        g.writeRaw('\n');
    }

    /** A change without a row still carries {@code key}, {@code before} and {@code after}, as null. */
    private static void noRow(JsonGenerator g) throws IOException {
        g.writeFieldName(KEY);
        g.writeNull();
        g.writeFieldName(BEFORE);
        g.writeNull();
        g.writeFieldName(AFTER);
        g.writeNull();
    }

    private void key(JsonGenerator g, RelationShape shape, JsonKind[] kinds, Row source) throws IOException {
        if (source == null || !shape.hasKey()) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (int i = 0; i < source.size(); i++) {
            if (shape.isKey(i) && !source.isUnchangedToast(i)) {
                g.writeFieldName(shape.name(i));
                values.write(g, source, i, kinds[i]);
            }
        }
        g.writeEndObject();
    }

    private void values(JsonGenerator g, RelationShape shape, JsonKind[] kinds, Row row) throws IOException {
        if (row == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        boolean keyOnly = row.isKeyOnly();
        for (int i = 0; i < row.size(); i++) {
            if (row.isUnchangedToast(i) || (keyOnly && !shape.isKey(i))) {
                continue;
            }
            g.writeFieldName(shape.name(i));
            values.write(g, row, i, kinds[i]);
        }
        g.writeEndObject();
    }

    private static void unchangedToast(JsonGenerator g, RelationShape shape, Row after) throws IOException {
        boolean any = false;
        for (int i = 0; i < after.size(); i++) {
            if (after.isUnchangedToast(i)) {
                if (!any) {
                    g.writeFieldName(UNCHANGED_TOAST);
                    g.writeStartArray();
                    any = true;
                }
                g.writeString(shape.name(i));
            }
        }
        if (any) {
            g.writeEndArray();
        }
    }

    private RelationShape shape(Relation r) {
        RelationShape last = lastShape;
        if (last != null && last.relation() == r) {
            return last;
        }
        RelationShape shape = shapes.get(r.oid());
        if (shape == null || shape.relation() != r) {
            shape = new RelationShape(r);
            shapes.put(r.oid(), shape);
        }
        lastShape = shape;
        return shape;
    }
}
