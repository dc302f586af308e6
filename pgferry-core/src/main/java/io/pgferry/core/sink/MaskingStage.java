package io.pgferry.core.sink;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.pgoutput.TupleData;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link Stage} that applies a {@link ValueMask} to every row of every change: new rows, old rows (so a row is
 * found by its masked key or, under REPLICA IDENTITY FULL, its masked old image) and snapshot rows. Truncates and
 * messages pass unchanged.
 */
public final class MaskingStage implements Stage {
    private final ValueMask mask;
    private final Map<Relation, Optional<ValueMask.TableMask>> tables = new ConcurrentHashMap<>();
    private volatile Last last;

    /** The mask of the last table seen, for the rows that follow it. */
    private record Last(Relation relation, ValueMask.TableMask mask) {}

    public MaskingStage(ValueMask mask) {
        this.mask = mask;
    }

    @Override
    public ChangeEvent process(ChangeEvent change) {
        if (change instanceof ChangeEvent.Insert i) {
            return new ChangeEvent.Insert(i.lsn(), i.relation(), mask(i.after()));
        }
        if (change instanceof ChangeEvent.Update u) {
            return new ChangeEvent.Update(u.lsn(), u.relation(), mask(u.before()), mask(u.after()));
        }
        if (change instanceof ChangeEvent.Delete d) {
            return new ChangeEvent.Delete(d.lsn(), d.relation(), mask(d.before()));
        }
        if (change instanceof ChangeEvent.Read r) {
            return new ChangeEvent.Read(r.lsn(), r.relation(), mask(r.after()));
        }
        return change;
    }

    private Row mask(Row row) {
        if (row == null) {
            return null;
        }
        // Identity first: the stream hands one Relation object to every row of a table (see Scanner).
        Last l = last;
        ValueMask.TableMask m;
        if (l != null && l.relation == row.relation()) {
            m = l.mask;
        } else {
            m = tables.computeIfAbsent(row.relation(), r -> Optional.ofNullable(mask.of(r, row.types())))
                    .orElse(null);
            last = new Last(row.relation(), m);
        }
        return m == null ? row : mask(row, m);
    }

    /**
     * {@code row} with the masked columns rewritten as text; NULL and unsent (unchanged TOAST) values stay as they
     * are, as do the other columns, bytes and format alike.
     */
    public static Row mask(Row row, ValueMask.TableMask m) {
        int n = row.size();
        TupleData in = row.tuple();
        ByteArrayOutputStream buf = new ByteArrayOutputStream(in.buffer().length + 16);
        byte[] kinds = new byte[n];
        int[] offsets = new int[n];
        int[] lengths = new int[n];
        boolean changed = false;
        for (int i = 0; i < n; i++) {
            byte kind = in.kind(i);
            byte[] bytes;
            if (kind != TupleData.NULL && kind != TupleData.UNCHANGED_TOAST && m.masks(i)) {
                String masked = m.apply(i, row.text(i));
                changed = true;
                if (masked == null) {
                    kinds[i] = TupleData.NULL;
                    offsets[i] = buf.size();
                    continue;
                }
                kind = TupleData.TEXT;
                bytes = masked.getBytes(StandardCharsets.UTF_8);
            } else if (kind == TupleData.NULL || kind == TupleData.UNCHANGED_TOAST) {
                kinds[i] = kind;
                offsets[i] = buf.size();
                continue;
            } else {
                bytes = null;
            }
            kinds[i] = kind;
            offsets[i] = buf.size();
            if (bytes == null) {
                buf.write(in.buffer(), in.offset(i), in.length(i));
                lengths[i] = in.length(i);
            } else {
                buf.write(bytes, 0, bytes.length);
                lengths[i] = bytes.length;
            }
        }
        if (!changed) {
            return row;
        }
        return new Row(
                row.relation(),
                new TupleData(buf.toByteArray(), kinds, offsets, lengths),
                row.types(),
                row.isKeyOnly());
    }
}
