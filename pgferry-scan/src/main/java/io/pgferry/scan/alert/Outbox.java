package io.pgferry.scan.alert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A local queue of findings for a channel that sends them to a remote peer: what the scan hands over is durable here
 * ({@link #flush} forces it to disk), so the slot's position can be confirmed whatever the peer's state, and a sender
 * takes it from here at its own pace. Lines are findings as JSON; {@code sent} records how far the sender got, so a
 * restart resends at most the batch in flight when the process stopped (at-least-once).
 *
 * <p>Files: {@code queue.jsonl} and {@code sent} (a decimal byte offset into the queue) in the outbox's directory.
 * When everything queued was sent and the queue has grown past a bound, it is emptied. Thread-safe: the scan appends
 * and flushes, the sender reads and acknowledges.
 */
final class Outbox implements AutoCloseable {
    private static final long COMPACT_AT = 8L << 20;

    private final Path dir;
    private final Path queuePath;
    private final Path sentPath;
    private final FileChannel queue;
    private final StringBuilder pending = new StringBuilder();
    /** Bytes written to the queue file (flushed or not): the sender may read up to here. */
    private long written;
    /** Offset of the first line not yet sent. */
    private long sent;

    Outbox(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        this.queuePath = dir.resolve("queue.jsonl");
        this.sentPath = dir.resolve("sent");
        this.queue = FileChannel.open(
                queuePath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.written = cutTornLine(queue);
        this.sent = Files.exists(sentPath)
                ? Long.parseLong(Files.readString(sentPath).trim())
                : 0;
        if (sent > written) {
            sent = written; // the queue was emptied after the offset was saved: nothing is owed
        }
    }

    /** A crash may leave half a line at the end: it was never flushed, so never confirmed; drop it. */
    private static long cutTornLine(FileChannel ch) throws IOException {
        long size = ch.size();
        long end = size;
        ByteBuffer one = ByteBuffer.allocate(1);
        while (end > 0) {
            one.clear();
            ch.read(one, end - 1);
            if (one.get(0) == '\n') {
                break;
            }
            end--;
        }
        if (end < size) {
            ch.truncate(end);
        }
        return end;
    }

    Path directory() {
        return dir;
    }

    synchronized void append(String jsonLine) {
        pending.append(jsonLine).append('\n');
    }

    /** Writes what was appended and forces it to disk. */
    synchronized void flush() throws IOException {
        if (pending.length() == 0) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
        long at = written;
        while (b.hasRemaining()) {
            at += queue.write(b, at);
        }
        queue.force(false);
        written = at;
        pending.setLength(0);
        notifyAll();
    }

    /** A batch the sender should send next, with where it ends; empty when nothing is waiting. */
    synchronized Batch next(int maxLines) throws IOException {
        if (sent >= written) {
            return new Batch(List.of(), sent);
        }
        int toRead = (int) Math.min(written - sent, 4L << 20);
        ByteBuffer b = ByteBuffer.allocate(toRead);
        long at = sent;
        while (b.hasRemaining()) {
            int n = queue.read(b, at);
            if (n < 0) {
                break;
            }
            at += n;
        }
        byte[] bytes = b.array();
        List<String> lines = new ArrayList<>();
        int start = 0;
        long end = sent;
        for (int i = 0; i < b.position() && lines.size() < maxLines; i++) {
            if (bytes[i] == '\n') {
                lines.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
                end = sent + start;
            }
        }
        return new Batch(lines, end);
    }

    /** The sender delivered everything before {@code end}: saved durably, then the queue emptied if all was sent. */
    synchronized void sentUpTo(long end) throws IOException {
        sent = end;
        if (sent >= written && pending.length() == 0 && written > COMPACT_AT) {
            queue.truncate(0);
            queue.force(true);
            written = 0;
            sent = 0;
        }
        Path tmp = dir.resolve("sent.tmp");
        Files.writeString(tmp, Long.toString(sent), StandardCharsets.US_ASCII);
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, sentPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Waits until something is waiting to be sent, or the timeout passes. */
    synchronized void awaitWork(long millis) throws InterruptedException {
        if (sent >= written) {
            wait(millis);
        }
    }

    /** Bytes flushed to the outbox and not sent yet: its depth. */
    synchronized long pendingBytes() {
        return Math.max(0, written - sent);
    }

    /** True when every flushed finding has been sent. */
    synchronized boolean isDrained() {
        return sent >= written;
    }

    @Override
    public synchronized void close() throws IOException {
        queue.close();
    }

    /** Lines to send, and the queue offset just past the last of them. */
    record Batch(List<String> lines, long end) {}
}
