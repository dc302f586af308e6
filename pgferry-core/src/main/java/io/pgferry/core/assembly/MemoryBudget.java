package io.pgferry.core.assembly;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The off-heap memory all {@link SpillBuffer}s of one stream may hold together. Memory comes in fixed-size direct
 * chunks that are reused once released, so a long-running stream does not churn direct memory. When the budget is
 * spent, buffers write to compressed files instead.
 *
 * <p>Used from the stream's thread only.
 */
public final class MemoryBudget {
    static final int CHUNK_SIZE = 1 << 20;

    private final long limitBytes;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private long allocated;
    private long inUse;
    private long peakInUse;

    /** @param limitBytes the most off-heap memory to hold at once; 0 sends everything to disk */
    public MemoryBudget(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("memory limit must be >= 0, was " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    /** A cleared chunk, or null when the budget is spent. */
    ByteBuffer take() {
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

    void give(ByteBuffer chunk) {
        inUse -= CHUNK_SIZE;
        free.push(chunk);
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** The most off-heap memory held at once so far. */
    public long peakInUseBytes() {
        return peakInUse;
    }
}
