package io.pgferry.core.assembly;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The bytes a preparer returned for each change of a buffered transaction, read back in order, without those of
 * aborted sub-transactions. Each array is fresh and the caller's to keep.
 */
final class PreparedReplay implements Iterator<byte[]> {
    private final SpillBuffer.RecordCursor cursor;
    private byte[] next;
    private boolean done;

    PreparedReplay(SpillBuffer.RecordCursor cursor) {
        this.cursor = cursor;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            if (cursor.next()) {
                next = cursor.message();
            } else {
                done = true;
                cursor.close();
            }
        }
        return next != null;
    }

    @Override
    public byte[] next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        byte[] b = next;
        next = null;
        return b;
    }
}
