package io.pgferry.engine.copy;

import io.pgferry.engine.schema.SourceTable;
import io.pgferry.postgres.catalog.TableName;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/**
 * Counters of a running copy, per table and in total, updated by the workers and read by whoever reports progress.
 * Thread-safe.
 */
public final class CopyProgress {
    /** One table's counters. */
    public static final class Table {
        private final TableName name;
        private final long estimatedRows;
        private final long estimatedBytes;
        private final int ranges;
        private final AtomicLong rows = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicInteger rangesDone = new AtomicInteger();

        Table(TableName name, long estimatedRows, long estimatedBytes, int ranges) {
            this.name = name;
            this.estimatedRows = estimatedRows;
            this.estimatedBytes = estimatedBytes;
            this.ranges = ranges;
        }

        public TableName name() {
            return name;
        }

        public long rows() {
            return rows.get();
        }

        public long bytes() {
            return bytes.get();
        }

        /** The planner's estimate (pg_class.reltuples), or 0 when unknown. */
        public long estimatedRows() {
            return estimatedRows;
        }

        /** The size of the table's relations on disk at the source. */
        public long estimatedBytes() {
            return estimatedBytes;
        }

        public boolean done() {
            return rangesDone.get() == ranges;
        }

        void addBytes(long n) {
            bytes.addAndGet(n);
        }

        /** Adds a finished range's rows; true when it was the table's last range. */
        boolean finishRange(long n) {
            rows.addAndGet(n);
            return rangesDone.incrementAndGet() == ranges;
        }
    }

    private final Map<TableName, Table> tables = new LinkedHashMap<>();
    private final long started = System.nanoTime();

    CopyProgress(List<SourceTable> sources, List<CopyRange> ranges) {
        this(sources, rangeCounts(ranges)::get);
    }

    private static Map<SourceTable, Integer> rangeCounts(List<CopyRange> ranges) {
        Map<SourceTable, Integer> counts = new java.util.IdentityHashMap<>();
        for (CopyRange r : ranges) {
            counts.merge(r.table(), 1, Integer::sum);
        }
        return counts;
    }

    /** Counters for {@code sources}, each done once {@code parts} of it are finished. */
    CopyProgress(List<SourceTable> sources, ToIntFunction<SourceTable> parts) {
        for (SourceTable s : sources) {
            tables.put(s.name(), new Table(s.name(), s.estimatedRows(), s.bytes(), parts.applyAsInt(s)));
        }
    }

    Table table(TableName name) {
        return tables.get(name);
    }

    public Collection<Table> tables() {
        return tables.values();
    }

    public long rows() {
        return tables.values().stream().mapToLong(Table::rows).sum();
    }

    public long bytes() {
        return tables.values().stream().mapToLong(Table::bytes).sum();
    }

    public long estimatedBytes() {
        return tables.values().stream().mapToLong(Table::estimatedBytes).sum();
    }

    /**
     * How much of {@link #estimatedBytes} is done: all of a finished table's, and of an unfinished one the bytes sent,
     * up to its estimate. The bytes a COPY sends are not the bytes a table takes on disk, far from it for a small table
     * (a page at least): an estimate of the time left made from the bytes sent said minutes for a copy of thousands of
     * small tables about to end.
     */
    public long estimatedBytesDone() {
        return tables.values().stream()
                .mapToLong(t -> t.done() ? t.estimatedBytes() : Math.min(t.bytes(), t.estimatedBytes()))
                .sum();
    }

    /** Seconds since the copy began (the sync's checks and table creation come before). */
    public double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    public long tablesDone() {
        return tables.values().stream().filter(Table::done).count();
    }
}
