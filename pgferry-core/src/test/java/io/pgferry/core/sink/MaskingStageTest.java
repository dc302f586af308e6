package io.pgferry.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.TupleData;
import io.pgferry.core.value.BuiltinTypes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskingStageTest {
    private static final Relation T = new Relation(
            1,
            "public",
            "t",
            ReplicaIdentity.FULL,
            List.of(
                    new Column("id", BuiltinTypes.INT4, -1, true),
                    new Column("email", BuiltinTypes.TEXT, -1, true),
                    new Column("note", BuiltinTypes.TEXT, -1, true)));

    /** Masks column 1 to upper case, and to NULL when the value is "drop". */
    private static final ValueMask UPPER = (relation, types) -> new ValueMask.TableMask() {
        @Override
        public boolean masks(int column) {
            return column == 1;
        }

        @Override
        public String apply(int column, String text) {
            return text.equals("drop") ? null : text.toUpperCase(java.util.Locale.ROOT);
        }

        @Override
        public boolean lossy(int column) {
            return true;
        }
    };

    /** A row of text values; null is NULL, "\u0000" an unchanged TOAST value. */
    private static Row row(String... values) {
        StringBuilder buf = new StringBuilder();
        byte[] kinds = new byte[values.length];
        int[] offsets = new int[values.length];
        int[] lengths = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            offsets[i] = buf.length();
            if (values[i] == null) {
                kinds[i] = TupleData.NULL;
            } else if (values[i].equals("\u0000")) {
                kinds[i] = TupleData.UNCHANGED_TOAST;
            } else {
                kinds[i] = TupleData.TEXT;
                buf.append(values[i]);
                lengths[i] = values[i].length();
            }
        }
        byte[] bytes = buf.toString().getBytes(StandardCharsets.US_ASCII);
        return new Row(T, new TupleData(bytes, kinds, offsets, lengths), BuiltinTypes.builtin(), false);
    }

    @Test
    void masksNewAndOldRowsAndLeavesTheRestAlone() {
        MaskingStage stage = new MaskingStage(UPPER);
        ChangeEvent.Update u = (ChangeEvent.Update) stage.process(
                new ChangeEvent.Update(Lsn.parse("0/1"), T, row("7", "a@b.org", "old"), row("7", "c@d.org", "new")));
        assertThat(u.before().text(1)).isEqualTo("A@B.ORG");
        assertThat(u.after().text(1)).isEqualTo("C@D.ORG");
        assertThat(u.after().text(0)).isEqualTo("7");
        assertThat(u.after().text(2)).isEqualTo("new");
        assertThat(u.after().value(0)).isEqualTo(7);
    }

    @Test
    void nullAndUnchangedToastStayAsTheyAreAndNullOutMakesNull() {
        MaskingStage stage = new MaskingStage(UPPER);
        ChangeEvent.Insert i =
                (ChangeEvent.Insert) stage.process(new ChangeEvent.Insert(Lsn.parse("0/1"), T, row("1", null, "x")));
        assertThat(i.after().isNull(1)).isTrue();
        ChangeEvent.Update u = (ChangeEvent.Update)
                stage.process(new ChangeEvent.Update(Lsn.parse("0/1"), T, null, row("1", "\u0000", "x")));
        assertThat(u.after().isUnchangedToast(1)).isTrue();
        assertThat(u.before()).isNull();
        ChangeEvent.Insert dropped =
                (ChangeEvent.Insert) stage.process(new ChangeEvent.Insert(Lsn.parse("0/1"), T, row("1", "drop", "x")));
        assertThat(dropped.after().isNull(1)).isTrue();
        assertThat(dropped.after().text(2)).isEqualTo("x");
    }

    @Test
    void aTableWithoutMasksPassesUnchanged() {
        MaskingStage stage = new MaskingStage(ValueMask.NONE);
        ChangeEvent.Insert in = new ChangeEvent.Insert(Lsn.parse("0/1"), T, row("1", "a", "b"));
        assertThat(((ChangeEvent.Insert) stage.process(in)).after()).isSameAs(in.after());
    }
}
