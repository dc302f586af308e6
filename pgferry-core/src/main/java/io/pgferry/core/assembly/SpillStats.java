package io.pgferry.core.assembly;

/** Counters of what the stream's spill buffers wrote to disk, for status and benchmarks. Stream thread only. */
public final class SpillStats {
    private long files;
    private long rawBytes;
    private long fileBytes;

    void fileOpened() {
        files++;
    }

    void addSpilledRaw(long bytes) {
        rawBytes += bytes;
    }

    void addSpilledFile(long bytes) {
        fileBytes += bytes;
    }

    /** Spill files created so far. */
    public long files() {
        return files;
    }

    /** Bytes of messages written to spill files, before compression. */
    public long rawBytes() {
        return rawBytes;
    }

    /** Bytes the spill files took on disk, after compression. */
    public long fileBytes() {
        return fileBytes;
    }
}
