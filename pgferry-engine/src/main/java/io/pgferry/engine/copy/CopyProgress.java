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

    CopyProgress(List<SourceTable> sources, List<CopyRange> ranges) {
        this(sources, s -> (int) ranges.stream().filter(r -> r.table() == s).count());
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

    public long tablesDone() {
        return tables.values().stream().filter(Table::done).count();
    }
}
