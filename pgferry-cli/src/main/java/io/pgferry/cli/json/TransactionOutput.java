package io.pgferry.cli.json;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A write buffer in front of the output that can take back what the current transaction wrote, as long as it is
 * still buffered: a transaction that fails half-way leaves behind only what already passed on. Invariant:
 * {@code 0 <= mark <= count <= buf.length}, and {@code buf[mark, count)} is the current transaction's still-buffered
 * part.
 */
final class TransactionOutput extends OutputStream {
    private final OutputStream out;
    private final byte[] buf;
    private int count;
    private int mark;

    TransactionOutput(OutputStream out, int size) {
        this.out = out;
        this.buf = new byte[size];
    }

    /** From here on, bytes belong to a new transaction. */
    void beginTransaction() {
        mark = count;
    }

    /** Forgets the current transaction's bytes that are still buffered. */
    void discardTransaction() {
        count = mark;
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buf.length) {
            passOn();
        }
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len > buf.length - count) {
            passOn();
            if (len >= buf.length) {
                out.write(b, off, len);
                return;
            }
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    private void passOn() throws IOException {
        if (count > 0) {
            out.write(buf, 0, count);
            count = 0;
        }
        mark = 0;
    }

    @Override
    public void flush() throws IOException {
        passOn();
        out.flush();
    }
}
