package io.pgferry.core.assembly;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The off-heap memory all {@link SpillBuffer}s of one stream may hold together. Memory comes in fixed-size direct
 * chunks that are reused once released, so a long-running stream does not churn direct memory. When the budget is
 * spent, buffers write to compressed files instead.
 *
 * <p>It also counts what transactions a handler {@link io.pgferry.core.event.Transaction#retain() retained} hold (in
 * memory or spilled): while that reaches the limit, the stream waits for releases ({@link #awaitRetainedBelowLimit})
 * before delivering more, so retained transactions cannot pile up without bound.
 *
 * <p>Thread-safe: a retained transaction gives its chunks back from whatever thread releases it.
 */
public final class MemoryBudget {
    /**
     * 64 KiB: every transaction holds at least one chunk while it is buffered, and a large one holds a list of them.
     * A small transaction a handler retains gives its chunk back for a heap copy of its exact size (see {@code
     * SpillBuffer.moveToHeap}).
     */
    static final int CHUNK_SIZE = 1 << 16;

    private final long limitBytes;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private long allocated;
    private long inUse;
    private long peakInUse;
    private long retainedBytes;

    /** @param limitBytes the most off-heap memory to hold at once; 0 sends everything to disk */
    public MemoryBudget(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("memory limit must be >= 0, was " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    /** A cleared chunk, or null when the budget is spent. */
    synchronized ByteBuffer take() {
        ByteBuffer chunk = free.poll();
        if (chunk == null) {
            if (allocated + CHUNK_SIZE > limitBytes) {
                return null;
            }
            chunk = ByteBuffer.allocateDirect(CHUNK_SIZE);
            allocated += CHUNK_SIZE;
        }
        inUse += CHUNK_SIZE;
        peakInUse = Math.max(peakInUse, inUse);
        chunk.clear();
        return chunk;
    }

    synchronized void give(ByteBuffer chunk) {
        inUse -= CHUNK_SIZE;
        free.push(chunk);
    }

    /** A handler retained a transaction whose changes take {@code bytes}. */
    synchronized void retained(long bytes) {
        retainedBytes += bytes;
    }

    /** A retained transaction of {@code bytes} was released. */
    synchronized void released(long bytes) {
        retainedBytes -= bytes;
        notifyAll();
    }

    /**
     * Waits up to {@code timeoutNanos} for retained transactions to hold less than the limit (none at all with a
     * limit of 0).
     *
     * @return true when they do
     */
    public synchronized boolean awaitRetainedBelowLimit(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (retainedBytes > 0 && retainedBytes >= limitBytes) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** The off-heap memory held now. */
    public synchronized long inUseBytes() {
        return inUse;
    }

    /** The most off-heap memory held at once so far. */
    public synchronized long peakInUseBytes() {
        return peakInUse;
    }

    /** What retained, unreleased transactions hold, in memory or spilled. */
    public synchronized long retainedBytes() {
        return retainedBytes;
    }
}
