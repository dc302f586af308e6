package io.pgferry.core.assembly;

import io.pgferry.core.PgFerryException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.apache.commons.io.input.ReadAheadInputStream;

/**
 * The raw pgoutput messages of one transaction, kept until the transaction's fate is known. Messages go to off-heap
 * chunks while the shared {@link MemoryBudget} allows, then to a deflate-compressed temporary file; they are read back
 * in the order they were appended. A file is inflated on a second thread, {@value #READ_AHEAD} bytes ahead of the
 * reader: after a huge transaction's commit the server is idle and the handler's work is what the reader waits on,
 * so inflating beside it shortens the delivery (by about 40% for JSON lines, in {@code scripts/bench-stream.sh --big}).
 *
 * <p>Record layout, in memory and in the file: {@code int length, long lsn, long subXid, byte[length] message}.
 *
 * <p>Used from one thread at a time: the stream's, then, for a transaction its handler retained, whichever thread
 * releases it. {@link #release()} must be called exactly once (it returns the chunks and deletes the file).
 */
final class SpillBuffer {
    private static final int HEADER = 4 + 8 + 8;
    /** Bytes inflated ahead of the reader (read-ahead holds two buffers of this size). */
    private static final int READ_AHEAD = 1 << 20;

    private final MemoryBudget budget;
    private final Path spillDir;
    private final SpillStats stats;
    private final List<ByteBuffer> chunks = new ArrayList<>();
    /** Set once the records moved to a heap buffer of their own ({@link #moveToHeap}): no chunk to give back. */
    private boolean onHeap;

    private Path file;
    private DataOutputStream out;
    private long records;
    private long bytes;

    SpillBuffer(MemoryBudget budget, Path spillDir, SpillStats stats) {
        this.budget = budget;
        this.spillDir = spillDir;
        this.stats = stats;
    }

    long records() {
        return records;
    }

    /** What the records take, uncompressed, in memory or in the file. */
    long bytes() {
        return bytes;
    }

    void append(byte[] buf, int off, int len, long lsn, long subXid) {
        records++;
        bytes += HEADER + len;
        if (out == null && appendToMemory(buf, off, len, lsn, subXid)) {
            return;
        }
        try {
            if (out == null) {
                openFile();
            }
            out.writeInt(len);
            out.writeLong(lsn);
            out.writeLong(subXid);
            out.write(buf, off, len);
            stats.addSpilledRaw(HEADER + len);
        } catch (IOException e) {
            throw spillError(e);
        }
    }

    private boolean appendToMemory(byte[] buf, int off, int len, long lsn, long subXid) {
        ByteBuffer last = chunks.isEmpty() ? null : chunks.get(chunks.size() - 1);
        int needed = HEADER + len;
        int free = last == null ? 0 : last.remaining();
        int fromBudget = Math.max(0, needed - free);
        int newChunks = (fromBudget + MemoryBudget.CHUNK_SIZE - 1) / MemoryBudget.CHUNK_SIZE;
        List<ByteBuffer> taken = new ArrayList<>(newChunks);
        for (int i = 0; i < newChunks; i++) {
            ByteBuffer c = budget.take();
            if (c == null) {
                taken.forEach(budget::give);
                return false;
            }
            taken.add(c);
        }
        chunks.addAll(taken);
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.putInt(len).putLong(lsn).putLong(subXid).flip();
        put(header.array(), 0, HEADER);
        put(buf, off, len);
        return true;
    }

    private void put(byte[] src, int off, int len) {
        int i = chunks.size() - 1;
        while (i > 0 && chunks.get(i - 1).hasRemaining()) {
            i--;
        }
        while (len > 0) {
            ByteBuffer c = chunks.get(i);
            int n = Math.min(len, c.remaining());
            c.put(src, off, n);
            off += n;
            len -= n;
            i++;
        }
    }

    private void openFile() throws IOException {
        Files.createDirectories(spillDir);
        file = Files.createTempFile(spillDir, "pgferry-tx-", ".spill");
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        out = new DataOutputStream(new BufferedOutputStream(
                new DeflaterOutputStream(Files.newOutputStream(file), deflater, 1 << 16) {
                    @Override
                    public void close() throws IOException {
                        try {
                            super.close();
                        } finally {
                            def.end();
                        }
                    }
                },
                1 << 16));
        stats.fileOpened();
    }

    /** Reads the records back in order, skipping those whose sub-transaction {@code skip} rejects. */
    RecordCursor cursor(LongPredicate skip) {
        try {
            if (out != null) {
                out.close();
                out = null;
                stats.addSpilledFile(Files.size(file));
            }
        } catch (IOException e) {
            throw spillError(e);
        }
        return new RecordCursor(chunks, file, skip);
    }

    /**
     * Moves the records of a buffer that fits in one chunk, and has no file, to a heap buffer of their exact size, and
     * gives the chunk back to the budget. For a transaction a handler retains before reading it: a small transaction
     * then holds its own bytes, not a whole chunk, so a handler can queue thousands of them without sending the
     * transactions still arriving to disk. Larger ones stay off-heap, so the heap does not grow with transaction size.
     *
     * @param cursor the buffer's cursor, which must not have read anything yet
     * @return whether the records moved
     */
    boolean moveToHeap(RecordCursor cursor) {
        if (onHeap || file != null || chunks.size() != 1 || !cursor.atStart()) {
            return false;
        }
        ByteBuffer chunk = chunks.get(0);
        ByteBuffer heap = ByteBuffer.allocate(chunk.position());
        heap.put(0, chunk, 0, chunk.position());
        heap.position(chunk.position());
        // The cursor reads the same list: it finds the same bytes at the same positions.
        chunks.set(0, heap);
        budget.give(chunk);
        onHeap = true;
        return true;
    }

    void release() {
        if (!onHeap) {
            chunks.forEach(budget::give);
        }
        chunks.clear();
        try {
            if (out != null) {
                out.close();
                out = null;
            }
            if (file != null) {
                Files.deleteIfExists(file);
                file = null;
            }
        } catch (IOException e) {
            throw spillError(e);
        }
    }

    private PgFerryException spillError(IOException e) {
        return PgFerryException.fatal(
                "cannot use spill directory " + spillDir + ": " + e.getMessage(),
                "give the spill directory free space and write access, or raise the memory limit",
                e);
    }

    /** One pass over a buffer's records. Each {@link #next()} fills a fresh array the caller may keep. */
    static final class RecordCursor implements AutoCloseable {
        private final List<ByteBuffer> chunks;
        private final Path file;
        private final LongPredicate skip;
        private int chunk;
        private int pos;
        private DataInputStream in;
        private byte[] message;
        private long lsn;

        RecordCursor(List<ByteBuffer> chunks, Path file, LongPredicate skip) {
            this.chunks = chunks;
            this.file = file;
            this.skip = skip;
        }

        boolean atStart() {
            return chunk == 0 && pos == 0 && in == null;
        }

        /** Advances to the next record not skipped; false at the end. */
        boolean next() {
            while (true) {
                boolean read = chunk < chunks.size() && (pos < chunks.get(chunk).position() || advanceChunk())
                        ? readFromMemory()
                        : readFromFile();
                if (!read) {
                    return false;
                }
                if (!skip.test(subXid)) {
                    return true;
                }
            }
        }

        private long subXid;

        private boolean advanceChunk() {
            while (chunk < chunks.size() && pos >= chunks.get(chunk).position()) {
                chunk++;
                pos = 0;
            }
            return chunk < chunks.size();
        }

        private boolean readFromMemory() {
            byte[] header = new byte[HEADER];
            get(header);
            ByteBuffer h = ByteBuffer.wrap(header);
            int len = h.getInt();
            lsn = h.getLong();
            subXid = h.getLong();
            message = new byte[len];
            get(message);
            return true;
        }

        private void get(byte[] dst) {
            int off = 0;
            while (off < dst.length) {
                ByteBuffer c = chunks.get(chunk);
                int n = Math.min(dst.length - off, c.position() - pos);
                c.get(pos, dst, off, n);
                off += n;
                pos += n;
                if (pos >= c.position() && off < dst.length) {
                    chunk++;
                    pos = 0;
                }
            }
        }

        private boolean readFromFile() {
            if (file == null) {
                return false;
            }
            try {
                if (in == null) {
                    InputStream inflated =
                            new InflaterInputStream(Files.newInputStream(file), new Inflater(), 1 << 16) {
                                @Override
                                public void close() throws IOException {
                                    try {
                                        super.close();
                                    } finally {
                                        inf.end();
                                    }
                                }
                            };
                    in = new DataInputStream(new BufferedInputStream(
                            ReadAheadInputStream.builder()
                                    .setInputStream(inflated)
                                    .setBufferSize(READ_AHEAD)
                                    .get(),
                            1 << 16));
                }
                int len;
                try {
                    len = in.readInt();
                } catch (EOFException end) {
                    return false;
                }
                lsn = in.readLong();
                subXid = in.readLong();
                message = new byte[len];
                in.readFully(message);
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read spill file " + file, e);
            }
        }

        byte[] message() {
            return message;
        }

        long lsn() {
            return lsn;
        }

        @Override
        public void close() {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                in = null;
            }
        }
    }
}
