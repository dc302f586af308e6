package io.pgferry.cli.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes every change as a JSON line to a file or standard output, and acknowledges a transaction only once its
 * lines are durable: for a file, after {@code fsync}; for standard output, after the flush to the pipe (the reader is
 * responsible from there). Syncs are grouped: at most one per {@code syncIntervalNanos} while busy, and one whenever
 * the stream is idle.
 *
 * <p>If writing a transaction fails half-way, a file is cut back to where the transaction began, so a retry never
 * leaves a partial transaction behind. Standard output cannot be taken back: what of the failed transaction already
 * reached it stays, and only what was still buffered is dropped.
 */
public final class JsonLinesHandler implements TransactionHandler, AutoCloseable {
    private static final JsonFactory FACTORY = new JsonFactory().setRootValueSeparator(null);

    private final FileChannel file;
    private final OutputStream raw;
    private JsonGenerator json;
    private final long syncIntervalNanos;
    private Transaction unacked;
    private long lastSync = System.nanoTime();
    private long changes;
    private long transactions;

    private JsonLinesHandler(FileChannel file, OutputStream out, long syncIntervalNanos) throws IOException {
        this.file = file;
        this.raw = new BufferedOutputStream(out, 1 << 16);
        this.json = newGenerator(raw);
        this.syncIntervalNanos = syncIntervalNanos;
    }

    private static JsonGenerator newGenerator(OutputStream out) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
        return g;
    }

    /** Appends to {@code path} (created if missing). */
    public static JsonLinesHandler toFile(Path path, long syncIntervalNanos) throws IOException {
        FileChannel ch =
                FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return new JsonLinesHandler(ch, Channels.newOutputStream(ch), syncIntervalNanos);
    }

    public static JsonLinesHandler toStream(OutputStream out, long syncIntervalNanos) throws IOException {
        return new JsonLinesHandler(null, out, syncIntervalNanos);
    }

    @Override
    public void onTransaction(Transaction tx) throws IOException {
        long start = -1;
        if (file != null) {
            json.flush();
            raw.flush();
            start = file.size();
        }
        long written = 0;
        try {
            for (ChangeEvent change : tx) {
                ChangeJson.write(json, tx, change);
                written++;
            }
            json.flush();
        } catch (IOException | RuntimeException e) {
            try {
                discardPartial(start);
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        changes += written;
        transactions++;
        unacked = tx;
        if (System.nanoTime() - lastSync >= syncIntervalNanos) {
            sync();
        }
    }

    /**
     * Forgets the lines of a transaction whose writing failed, so that a later transaction (or the same one delivered
     * again) starts on a clean line and the failed one leaves nothing behind in a file. The generator may hold part
     * of those lines in its buffer, and be in the middle of an object, so it is dropped unflushed and replaced. What
     * already passed to the file is pushed out of the byte buffer first, or it would land after the cut.
     */
    private void discardPartial(long start) throws IOException {
        json = newGenerator(raw);
        if (file != null) {
            raw.flush();
            file.truncate(start);
        }
    }

    @Override
    public void onIdle() throws IOException {
        sync();
    }

    /** Makes everything written durable, then acknowledges it. */
    public void sync() throws IOException {
        json.flush();
        raw.flush();
        if (file != null) {
            file.force(false);
        }
        lastSync = System.nanoTime();
        if (unacked != null) {
            unacked.ack();
            unacked = null;
        }
    }

    public long changes() {
        return changes;
    }

    public long transactions() {
        return transactions;
    }

    @Override
    public void close() {
        try {
            sync();
            json.close();
            raw.flush();
            if (file != null) {
                file.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
