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
 * leaves a partial transaction behind.
 */
public final class JsonLinesHandler implements TransactionHandler, AutoCloseable {
    private static final JsonFactory FACTORY = new JsonFactory().setRootValueSeparator(null);

    private final FileChannel file;
    private final OutputStream raw;
    private final JsonGenerator json;
    private final long syncIntervalNanos;
    private Transaction unacked;
    private long lastSync = System.nanoTime();
    private long changes;
    private long transactions;

    private JsonLinesHandler(FileChannel file, OutputStream out, long syncIntervalNanos) throws IOException {
        this.file = file;
        this.raw = new BufferedOutputStream(out, 1 << 16);
        this.json = FACTORY.createGenerator(raw);
        this.json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        this.json.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
        this.syncIntervalNanos = syncIntervalNanos;
    }

    /** Appends to {@code path} (created if missing). */
    public static JsonLinesHandler toFile(Path path, long syncIntervalNanos) throws IOException {
        FileChannel ch = FileChannel.open(
                path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
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
        try {
            for (ChangeEvent change : tx) {
                ChangeJson.write(json, tx, change);
                changes++;
            }
            json.flush();
        } catch (IOException | RuntimeException e) {
            if (file != null) {
                raw.flush();
                file.truncate(start);
            }
            throw e;
        }
        transactions++;
        unacked = tx;
        if (System.nanoTime() - lastSync >= syncIntervalNanos) {
            sync();
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
