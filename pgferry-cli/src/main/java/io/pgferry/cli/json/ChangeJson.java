package io.pgferry.cli.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.event.Transaction;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes changes as JSON objects, one per line: {@code op, schema, table, key, before, after, unchanged_toast, lsn,
 * commit_lsn, xid, commit_ts}. Every line has every one of these fields but {@code unchanged_toast} (null where it
 * does not apply: a message has no schema, table or row), so readers need not test for their presence; truncate
 * lines add {@code cascade, restart_identity}, message lines {@code prefix, content, transactional}. Values follow
 * {@link ValueJson}. A TRUNCATE of several tables gives one line per table. Stateless; the generator is the
 * caller's.
 */
public final class ChangeJson {
    private ChangeJson() {}

    /** Writes every line of {@code change}, each followed by a newline. */
    public static void write(JsonGenerator g, Transaction tx, ChangeEvent change) throws IOException {
        if (change instanceof ChangeEvent.Insert c) {
            row(g, tx, c, "insert", c.relation(), c.after(), null, c.after());
        } else if (change instanceof ChangeEvent.Update c) {
            row(g, tx, c, "update", c.relation(), c.before() != null ? c.before() : c.after(), c.before(), c.after());
        } else if (change instanceof ChangeEvent.Delete c) {
            row(g, tx, c, "delete", c.relation(), c.before(), c.before(), null);
        } else if (change instanceof ChangeEvent.Read c) {
            row(g, tx, c, "read", c.relation(), c.after(), null, c.after());
        } else if (change instanceof ChangeEvent.Truncate c) {
            for (Relation r : c.relations()) {
                g.writeStartObject();
                g.writeStringField("op", "truncate");
                g.writeStringField("schema", r.schema());
                g.writeStringField("table", r.table());
                noRow(g);
                g.writeBooleanField("cascade", c.cascade());
                g.writeBooleanField("restart_identity", c.restartIdentity());
                position(g, tx, c);
                g.writeEndObject();
                g.writeRaw('\n');
            }
        } else if (change instanceof ChangeEvent.Message c) {
            g.writeStartObject();
            g.writeStringField("op", "message");
            g.writeNullField("schema");
            g.writeNullField("table");
            noRow(g);
            g.writeStringField("prefix", c.prefix());
            g.writeStringField("content", "\\x" + HexFormat.of().formatHex(c.content()));
            g.writeBooleanField("transactional", c.transactional());
            position(g, tx, c);
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }

    private static void row(
            JsonGenerator g, Transaction tx, ChangeEvent c, String op, Relation r, Row keySource, Row before, Row after)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("op", op);
        g.writeStringField("schema", r.schema());
        g.writeStringField("table", r.table());
        g.writeFieldName("key");
        key(g, r, keySource);
        g.writeFieldName("before");
        values(g, before);
        g.writeFieldName("after");
        values(g, after);
        if (after != null) {
            unchangedToast(g, after);
        }
        position(g, tx, c);
        g.writeEndObject();
        g.writeRaw('\n');
    }

    /** A change without a row still carries {@code key}, {@code before} and {@code after}, as null. */
    private static void noRow(JsonGenerator g) throws IOException {
        g.writeNullField("key");
        g.writeNullField("before");
        g.writeNullField("after");
    }

    private static void key(JsonGenerator g, Relation r, Row source) throws IOException {
        List<Column> keys = r.keyColumns();
        if (source == null || keys.isEmpty()) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (int i = 0; i < source.size(); i++) {
            if (source.column(i).key() && !source.isUnchangedToast(i)) {
                g.writeFieldName(source.column(i).name());
                ValueJson.write(g, source, i);
            }
        }
        g.writeEndObject();
    }

    private static void values(JsonGenerator g, Row row) throws IOException {
        if (row == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (int i = 0; i < row.size(); i++) {
            if (row.isUnchangedToast(i) || (row.isKeyOnly() && !row.column(i).key())) {
                continue;
            }
            g.writeFieldName(row.column(i).name());
            ValueJson.write(g, row, i);
        }
        g.writeEndObject();
    }

    private static void unchangedToast(JsonGenerator g, Row after) throws IOException {
        boolean any = false;
        for (int i = 0; i < after.size(); i++) {
            if (after.isUnchangedToast(i)) {
                if (!any) {
                    g.writeArrayFieldStart("unchanged_toast");
                    any = true;
                }
                g.writeString(after.column(i).name());
            }
        }
        if (any) {
            g.writeEndArray();
        }
    }

    private static void position(JsonGenerator g, Transaction tx, ChangeEvent c) throws IOException {
        g.writeStringField("lsn", c.lsn().toString());
        g.writeStringField("commit_lsn", tx.commitLsn().toString());
        if (tx.xid() == 0) {
            g.writeNullField("xid");
        } else {
            g.writeNumberField("xid", tx.xid());
        }
        if (tx.kind() == Transaction.Kind.SNAPSHOT) {
            g.writeNullField("commit_ts");
        } else {
            g.writeStringField("commit_ts", tx.commitTime().toString());
        }
    }
}
