package io.pgferry.engine.copy;

import io.pgferry.core.event.Row;
import io.pgferry.core.sink.MaskingStage;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.jdbc.CopyText;
import io.pgferry.postgres.CopyTextRow;
import java.util.Arrays;

/**
 * Masks one row of a text-format COPY on its way from source to target: decoded ({@link CopyTextRow}), masked, and
 * written back in COPY's text format (PostgreSQL docs, COPY, "Text Format": {@code \N} for NULL; backslash, tab,
 * newline and carriage return escaped).
 */
final class CopyLineMask {
    private final Masks.Masked masked;

    CopyLineMask(Masks.Masked masked) {
        this.masked = masked;
    }

    byte[] rewrite(byte[] line) {
        int n = masked.relation().columns().size();
        Row row = new Row(masked.relation(), CopyTextRow.parse(line, n), BuiltinTypes.builtin(), false);
        Row out = MaskingStage.mask(row, masked.mask());
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            values[i] = out.text(i);
        }
        CopyText text = new CopyText(line.length + 16);
        text.row(values);
        return Arrays.copyOf(text.bytes(), text.size());
    }
}
