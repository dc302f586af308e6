package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The values a key change replayed after a chunked copy left unchanged (TOAST), read at a real source: a table and
 * columns whose names need quoting, a composite key, a value with quotes and unicode. Issue 5.
 */
@PgTest
@Tag("stream")
class MovedRowValuesTest {
    private static final String TABLE = "Mixed \"Q\" Tab";
    private static final Relation REL = new Relation(
            1,
            "public",
            TABLE,
            ReplicaIdentity.DEFAULT,
            List.of(
                    new Column("Id", BuiltinTypes.INT4, -1, true),
                    new Column("ключ", BuiltinTypes.TEXT, -1, true),
                    new Column("note", BuiltinTypes.TEXT, -1, false),
                    new Column("select", BuiltinTypes.TEXT, -1, false)));

    @Test
    void aMovedRowTakesTheValuesItLeftUnchangedFromTheSourceOrBecomesADeleteWhenGone(TestDatabase source)
            throws Exception {
        source.execute(
                "CREATE TABLE \"Mixed \"\"Q\"\" Tab\" (\"Id\" int, \"ключ\" text, note text, \"select\" text,"
                        + " PRIMARY KEY (\"Id\", \"ключ\"))",
                "INSERT INTO \"Mixed \"\"Q\"\" Tab\" VALUES (2, 'b''é', 'new note', 'it''s \"big\" ✓')");
        try (MovedRowValues moved = new MovedRowValues(Dsn.parse(source.uri()))) {
            ChangeEvent.Update found = move(1, "a", 2, "b'é");
            ChangeEvent filled = moved.process(found);
            assertThat(filled).isInstanceOf(ChangeEvent.Update.class);
            Row after = ((ChangeEvent.Update) filled).after();
            assertThat(after.isUnchangedToast(3)).isFalse();
            assertThat(after.text(3)).isEqualTo("it's \"big\" ✓");
            assertThat(after.text(2))
                    .as("a value the update carried stays its own")
                    .isEqualTo("sent note");
            assertThat(after.text(1)).isEqualTo("b'é");
            assertThat(((ChangeEvent.Update) filled).before()).isSameAs(found.before());
            Lsn firstRead = moved.readThrough();
            assertThat(firstRead.isValid())
                    .as("the source position after the read")
                    .isTrue();
            source.execute("INSERT INTO \"Mixed \"\"Q\"\" Tab\" VALUES (9, 'z', 'n', 's')");

            ChangeEvent.Update gone = move(1, "a", 3, "c");
            ChangeEvent delete = moved.process(gone);
            assertThat(delete).isInstanceOf(ChangeEvent.Delete.class);
            assertThat(((ChangeEvent.Delete) delete).before()).isSameAs(gone.before());
            assertThat(moved.readThrough().isAfter(firstRead))
                    .as("a read after a write to the source ends later")
                    .isTrue();

            ChangeEvent.Update sameKey = new ChangeEvent.Update(Lsn.of(10), REL, null, found.after());
            assertThat(moved.process(sameKey)).as("no key change").isSameAs(sameKey);
            ChangeEvent.Update complete =
                    new ChangeEvent.Update(Lsn.of(10), REL, found.before(), row(2, "b'é", TupleData.TEXT));
            assertThat(moved.process(complete)).as("nothing left unsent").isSameAs(complete);
        }
    }

    /** A key change from ({@code fromId}, {@code fromKey}) that left column "select" unchanged. */
    private static ChangeEvent.Update move(int fromId, String fromKey, int toId, String toKey) {
        return new ChangeEvent.Update(
                Lsn.of(10), REL, key(fromId, fromKey), row(toId, toKey, TupleData.UNCHANGED_TOAST));
    }

    private static Row key(int id, String k) {
        return tuple(true, new byte[] {TupleData.TEXT, TupleData.TEXT, TupleData.NULL, TupleData.NULL}, id, k, "", "");
    }

    private static Row row(int id, String k, byte lastKind) {
        return tuple(
                false,
                new byte[] {TupleData.TEXT, TupleData.TEXT, TupleData.TEXT, lastKind},
                id,
                k,
                "sent note",
                lastKind == TupleData.TEXT ? "sent" : "");
    }

    private static Row tuple(boolean keyOnly, byte[] kinds, int id, String... texts) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int[] offsets = new int[4];
        int[] lengths = new int[4];
        String[] values = {Integer.toString(id), texts[0], texts[1], texts[2]};
        for (int i = 0; i < 4; i++) {
            byte[] b = kinds[i] == TupleData.TEXT ? values[i].getBytes(StandardCharsets.UTF_8) : new byte[0];
            offsets[i] = buf.size();
            lengths[i] = b.length;
            buf.writeBytes(b);
        }
        return new Row(REL, new TupleData(buf.toByteArray(), kinds, offsets, lengths), BuiltinTypes.builtin(), keyOnly);
    }
}
