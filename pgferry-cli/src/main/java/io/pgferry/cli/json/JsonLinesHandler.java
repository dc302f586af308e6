package io.pgferry.cli.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.AppendingHandler;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.PreparingHandler;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.sink.Stage;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.OptionalLong;

/**
 * Writes every change as a JSON line to a file or standard output, and acknowledges a transaction only once its
 * lines are durable: for a regular file, after {@code fsync}; for standard output or another kind of file (a pipe, a
 * device), after the write (the reader is responsible from there). Syncs are grouped: at most one per
 * {@code syncIntervalNanos} while busy, and one whenever the stream is idle.
 *
 * <p>Each change is encoded as it arrives ({@link #prepare}), while the server is still decoding the rest of its
 * transaction; at delivery the lines are completed with the transaction's fields and written. Snapshot rows and
 * non-transactional messages are encoded at delivery. The output is the same either way.
 *
 * <p>If writing a transaction fails half-way, a regular file is cut back to where the transaction began, so a retry
 * never leaves a partial transaction behind. Other outputs cannot be taken back: what of the failed transaction
 * already reached them stays, and only what was still buffered is dropped.
 *
 * <p>A regular file's length goes with each checkpoint ({@link AppendingHandler}): on restart the file is cut back to
 * the length of the checkpoint the stream resumes from, so what was written after it (the stream delivers it again)
 * appears once, and a line torn by a kill disappears. A file shorter than that length is refused.
 *
 * <p>Every change passes through a {@link Stage} before it is encoded (a mask, say), as it arrives and at delivery
 * alike; a change the stage drops writes no line.
 */
public final class JsonLinesHandler implements PreparingHandler, AppendingHandler, AutoCloseable {
    private static final JsonFactory FACTORY = new JsonFactory().setRootValueSeparator(null);

    /** The output when it is a regular file, which can be measured, cut back and forced to disk; else null. */
    private final FileChannel file;
    /** The file's path, for messages; null for a stream. */
    private final Path path;
    /** What {@link #close} closes besides flushing: the channel of a file output, null for a stream. */
    private final Closeable owned;

    private final TransactionOutput raw;
    private JsonGenerator json;
    private final long syncIntervalNanos;
    private final ChangeJson encoder = new ChangeJson();
    private final Stage stage;
    private final Prepared prepared = new Prepared();
    private JsonGenerator prepareJson;
    private Transaction unacked;
    private long lastSync = System.nanoTime();
    private long changes;
    private long transactions;

    /** For a file: its length where the last transaction written ends (all of it passed to the file). */
    private long length;
    /** For a file: the length forced to disk. */
    private long syncedLength;
    /** For a file: where each transaction written since the last checkpoint ends, oldest first. */
    private final ArrayDeque<Written> ends = new ArrayDeque<>();
    /** For a file: the length holding exactly the transactions of the last checkpoint. */
    private long checkpointedLength;

    /** A transaction's end position, and the file's length once its lines were written. */
    private record Written(Lsn end, long length) {}

    /** A reusable buffer for one change's lines (a ByteArrayOutputStream without its locking). */
    private static final class Prepared extends OutputStream {
        private byte[] buf = new byte[512];
        private int count;

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void ensure(int more) {
            if (buf.length - count < more) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }

        void reset() {
            count = 0;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, count);
        }
    }

    private JsonLinesHandler(
            FileChannel file, Path path, Closeable owned, OutputStream out, long syncIntervalNanos, Stage stage)
            throws IOException {
        this.file = file;
        this.stage = stage;
        this.path = path;
        this.owned = owned;
        if (file != null) {
            length = file.size();
            syncedLength = length;
            checkpointedLength = length;
        }
        this.raw = new TransactionOutput(out, 1 << 16);
        this.json = newGenerator(raw);
        this.prepareJson = newGenerator(prepared);
        this.syncIntervalNanos = syncIntervalNanos;
    }

    private static JsonGenerator newGenerator(OutputStream out) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
        return g;
    }

    /**
     * Appends to {@code path} (created if missing). Only a regular file is cut back after a failure and forced to
     * disk before an acknowledgement: a device such as {@code /dev/null} or a named pipe supports neither.
     */
    public static JsonLinesHandler toFile(Path path, long syncIntervalNanos) throws IOException {
        return toFile(path, syncIntervalNanos, Stage.IDENTITY);
    }

    /** As {@link #toFile(Path, long)}, every change through {@code stage} first. */
    public static JsonLinesHandler toFile(Path path, long syncIntervalNanos, Stage stage) throws IOException {
        FileChannel ch =
                FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        try {
            boolean regular = Files.isRegularFile(path);
            return new JsonLinesHandler(
                    regular ? ch : null, path, ch, Channels.newOutputStream(ch), syncIntervalNanos, stage);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public static JsonLinesHandler toStream(OutputStream out, long syncIntervalNanos) throws IOException {
        return toStream(out, syncIntervalNanos, Stage.IDENTITY);
    }

    /** As {@link #toStream(OutputStream, long)}, every change through {@code stage} first. */
    public static JsonLinesHandler toStream(OutputStream out, long syncIntervalNanos, Stage stage) throws IOException {
        return new JsonLinesHandler(null, null, null, out, syncIntervalNanos, stage);
    }

    /**
     * The change's lines without the transaction's fields, each ending in {@code "}\n"}; none for a change the stage
     * drops.
     */
    @Override
    public byte[] prepare(ChangeEvent change) throws IOException {
        prepared.reset();
        ChangeEvent c = stage.process(change);
        if (c == null) {
            return new byte[0];
        }
        try {
            encoder.write(prepareJson, c, "");
            prepareJson.flush();
        } catch (IOException | RuntimeException e) {
            // The generator may be left inside an object.
            prepareJson = newGenerator(prepared);
            throw e;
        }
        return prepared.toByteArray();
    }

    @Override
    public void onTransaction(Transaction tx) throws IOException {
        // Every earlier transaction passed to the file when it ended, so this one begins at length.
        long start = length;
        json.flush();
        raw.beginTransaction();
        long written = 0;
        long endLength = -1;
        try {
            String fields = ChangeJson.transactionFields(tx);
            if (tx.hasPreparedChanges()) {
                byte[] end = (fields + "}\n").getBytes(StandardCharsets.UTF_8);
                for (Iterator<byte[]> it = tx.preparedChanges(); it.hasNext(); ) {
                    byte[] lines = it.next();
                    if (lines.length > 0) {
                        writePrepared(lines, end);
                        written++;
                    }
                }
            } else {
                for (ChangeEvent change : tx) {
                    ChangeEvent c = stage.process(change);
                    if (c != null) {
                        encoder.write(json, c, fields);
                        written++;
                    }
                }
                json.flush();
            }
            if (file != null) {
                // Measured here, as the transaction ends, for the checkpoints (durableLength).
                raw.flush();
                endLength = file.size();
            }
        } catch (IOException | RuntimeException e) {
            try {
                discardPartial(start);
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        if (file != null) {
            length = endLength;
            ends.addLast(new Written(tx.endLsn(), endLength));
        }
        changes += written;
        transactions++;
        unacked = tx;
        if (System.nanoTime() - lastSync >= syncIntervalNanos) {
            sync();
        }
    }

    /**
     * Writes the lines {@link #prepare} made, each with {@code end} (the transaction's fields, the closing brace and
     * the newline) in place of its closing brace and newline. A newline byte can only end a line: JSON escapes it in
     * strings and {@link ValueJson} takes it out of embedded json values, and no other UTF-8 character contains it.
     */
    private void writePrepared(byte[] lines, byte[] end) throws IOException {
        int from = 0;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i] == '\n') {
                if (i == from || lines[i - 1] != '}') {
                    throw new IllegalStateException("prepared line does not end with a closing brace");
                }
                raw.write(lines, from, i - 1 - from);
                raw.write(end);
                from = i + 1;
            }
        }
        if (from != lines.length) {
            throw new IllegalStateException("prepared change does not end with a complete line");
        }
    }

    /**
     * Forgets the lines of a transaction whose writing failed, so that a later transaction (or the same one delivered
     * again) starts on a clean line and the failed one leaves nothing behind in a file. The generator may hold part
     * of those lines in its buffer, and be in the middle of an object, so it is dropped unflushed and replaced; what
     * of them is still in the write buffer is dropped too. What already passed to the file is cut off.
     */
    private void discardPartial(long start) throws IOException {
        json = newGenerator(raw);
        raw.discardTransaction();
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
            syncedLength = length;
        }
        lastSync = System.nanoTime();
        if (unacked != null) {
            unacked.ack();
            unacked = null;
        }
    }

    /**
     * Cuts the file back to the checkpoint's {@code length}, or refuses a file shorter than that: it is not the file
     * the checkpoint was written for, or lost its end, and the transactions it misses are not delivered again. Then
     * forces it, so that the length recorded by the next checkpoint is on disk even if nothing more is written.
     */
    @Override
    public void resume(OptionalLong checkpointed, String checkpoint) throws IOException {
        if (file == null) {
            return;
        }
        long size = file.size();
        if (checkpointed.isPresent()) {
            long expected = checkpointed.getAsLong();
            if (size < expected) {
                throw PgFerryException.fatal(
                        "output file " + path + " holds " + size + " bytes, fewer than the " + expected
                                + " that checkpoint " + checkpoint + " records as written to it",
                        "restore the file the stream wrote, or delete the checkpoint to write from where the"
                                + " slot is on into this file");
            }
            if (size > expected) {
                file.truncate(expected);
            }
        }
        file.force(true);
        length = file.size();
        syncedLength = length;
        checkpointedLength = length;
        ends.clear();
    }

    /** The length holding exactly the transactions that end at or before {@code lsn}, forced to disk first. */
    @Override
    public OptionalLong durableLength(Lsn lsn) {
        if (file == null) {
            return OptionalLong.empty();
        }
        while (!ends.isEmpty() && !ends.peekFirst().end().isAfter(lsn)) {
            checkpointedLength = ends.pollFirst().length();
        }
        if (checkpointedLength > syncedLength) {
            try {
                file.force(false);
            } catch (IOException e) {
                throw PgFerryException.fatal(
                        "cannot write " + path + ": " + e.getMessage(), "check free space and permissions", e);
            }
            syncedLength = length;
        }
        return OptionalLong.of(checkpointedLength);
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
            prepareJson.close();
            raw.flush();
            if (owned != null) {
                owned.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
