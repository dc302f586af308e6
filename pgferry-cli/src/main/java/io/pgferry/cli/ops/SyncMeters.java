package io.pgferry.cli.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgferry.engine.SyncEngine;
import io.pgferry.engine.copy.CopyProgress;
import io.pgferry.metrics.StreamMetrics;
import io.pgferry.postgres.ChangeStream;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/** The meters and readiness of {@code pgferry sync}: its stream, changes applied, and the initial copy's progress. */
public final class SyncMeters {
    private SyncMeters() {}

    public static void bind(MeterRegistry registry, String slot, SyncEngine engine) {
        StreamMetrics.bind(registry, slot, engine::streamStats);
        FunctionCounter.builder("pgferry.sync.changes.applied", engine, SyncEngine::changesApplied)
                .description("changes applied at the target by the streaming phase")
                .tag("slot", slot)
                .register(registry);
        FunctionCounter.builder("pgferry.sync.apply.batches", engine, e -> e.applyStats()
                        .batches())
                .description("batches committed at the target")
                .tag("slot", slot)
                .register(registry);
        FunctionTimer.builder(
                        "pgferry.sync.apply.batch",
                        engine,
                        e -> e.applyStats().batches(),
                        e -> e.applyStats().batchNanos(),
                        TimeUnit.NANOSECONDS)
                .description("time from a batch's first change to its commit")
                .tag("slot", slot)
                .register(registry);
        Gauge.builder("pgferry.sync.apply.last.batch.changes", engine, e -> e.applyStats()
                        .lastBatchChanges())
                .description("changes in the last batch committed")
                .tag("slot", slot)
                .register(registry);
        Gauge.builder("pgferry.sync.lag.seconds", engine, SyncEngine::lagSeconds)
                .description("how long ago the source wrote the oldest change not applied yet, as the sync last looked"
                        + " (every 5 s): 0 when none waits; NaN before the first look")
                .tag("slot", slot)
                .strongReference(true)
                .register(registry);
        copy(registry, slot, engine, "pgferry.sync.copy.rows", "rows copied so far", CopyProgress::rows);
        copy(registry, slot, engine, "pgferry.sync.copy.bytes", "bytes copied so far", CopyProgress::bytes);
        copy(
                registry,
                slot,
                engine,
                "pgferry.sync.copy.tables.done",
                "tables whose copy is done",
                CopyProgress::tablesDone);
    }

    /**
     * Per-table figures, labelled by table (bounded: the tables of the sync): changes applied, and copy progress,
     * registered as the sync reaches each table; called before each scrape.
     */
    public static void copyTables(MeterRegistry registry, String slot, SyncEngine engine) {
        for (String table : engine.tablesApplied()) {
            FunctionCounter.builder("pgferry.sync.table.changes.applied", engine, e -> e.changesApplied(table))
                    .description("changes of the table applied and committed at the target by the streaming phase")
                    .tags("slot", slot, "table", table)
                    .register(registry);
        }
        CopyProgress p = engine.copyProgress();
        if (p == null) {
            return;
        }
        for (CopyProgress.Table t : p.tables()) {
            String table = t.name().toString();
            Gauge.builder("pgferry.sync.copy.table.rows", t, CopyProgress.Table::rows)
                    .description("rows of the table copied so far")
                    .tags("slot", slot, "table", table)
                    .register(registry);
            Gauge.builder("pgferry.sync.copy.table.bytes", t, CopyProgress.Table::bytes)
                    .description("bytes of the table copied so far")
                    .tags("slot", slot, "table", table)
                    .register(registry);
            Gauge.builder("pgferry.sync.copy.table.estimated.bytes", t, CopyProgress.Table::estimatedBytes)
                    .description("the table's size at the source")
                    .tags("slot", slot, "table", table)
                    .register(registry);
            Gauge.builder("pgferry.sync.copy.table.done", t, x -> x.done() ? 1 : 0)
                    .description("1 once the table's copy is done")
                    .tags("slot", slot, "table", table)
                    .register(registry);
        }
    }

    private static void copy(
            MeterRegistry registry,
            String slot,
            SyncEngine engine,
            String name,
            String help,
            ToDoubleFunction<CopyProgress> f) {
        Gauge.builder(name, engine, e -> e.copyProgress() == null ? 0 : f.applyAsDouble(e.copyProgress()))
                .description(help)
                .tag("slot", slot)
                .register(registry);
    }

    /** Ready while the sync copies (its stream is then taking its snapshot) or streams. */
    public static Optional<String> readiness(SyncEngine engine) {
        ChangeStream.State st = engine.streamState();
        return st == ChangeStream.State.STREAMING || st == ChangeStream.State.SNAPSHOTTING
                ? Optional.empty()
                : Optional.of("the sync's stream is " + st.name().toLowerCase(Locale.ROOT));
    }
}
