package io.pgferry.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgferry.postgres.StreamStats;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The change stream's counters as Prometheus metrics, read from {@link StreamStats} at each scrape (nothing is counted
 * twice and the stream's threads do no extra work). Names follow Prometheus conventions: {@code pgferry_} prefix, base
 * units, {@code _total} counters (Micrometer adds the suffix), one {@code slot} label.
 */
public final class StreamMetrics {
    private StreamMetrics() {}

    /** Registers the stream's meters, labelled with its slot; {@code stats} is read at every scrape. */
    public static void bind(MeterRegistry registry, String slot, Supplier<StreamStats> stats) {
        counter(
                registry,
                "pgferry.stream.transactions",
                "transactions delivered to the handler",
                slot,
                stats,
                s -> s.transactions());
        counter(registry, "pgferry.stream.messages", "pgoutput messages received", slot, stats, s -> s.messages());
        counter(registry, "pgferry.stream.received.bytes", "payload bytes received", slot, stats, s -> s.bytes());
        counter(
                registry,
                "pgferry.stream.reconnects",
                "connections re-established after a loss",
                slot,
                stats,
                s -> s.reconnects());
        counter(
                registry,
                "pgferry.stream.spill.bytes",
                "bytes written to spill files, compressed",
                slot,
                stats,
                s -> s.spillFileBytes());
        gauge(
                registry,
                "pgferry.stream.acknowledged.lsn",
                "highest acknowledged position, as a byte offset",
                slot,
                stats,
                s -> s.acknowledged().value());
        gauge(
                registry,
                "pgferry.stream.confirmed.lsn",
                "position last confirmed to the server, as a byte offset",
                slot,
                stats,
                s -> s.confirmed().value());
        gauge(
                registry,
                "pgferry.stream.offheap.peak.bytes",
                "most off-heap memory held at once",
                slot,
                stats,
                s -> s.peakOffHeapBytes());
    }

    private static void counter(
            MeterRegistry r,
            String name,
            String help,
            String slot,
            Supplier<StreamStats> stats,
            ToDoubleFunction<StreamStats> f) {
        FunctionCounter.builder(name, stats, s -> f.applyAsDouble(s.get()))
                .description(help)
                .tag("slot", slot)
                .register(r);
    }

    private static void gauge(
            MeterRegistry r,
            String name,
            String help,
            String slot,
            Supplier<StreamStats> stats,
            ToDoubleFunction<StreamStats> f) {
        Gauge.builder(name, stats, s -> f.applyAsDouble(s.get()))
                .description(help)
                .tag("slot", slot)
                .register(r);
    }
}
