package io.pgferry.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgferry.postgres.StreamStats;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The change stream's counters as Prometheus metrics, read from {@link StreamStats} at each scrape (nothing is counted
 * twice and the stream's threads do no extra work). Names follow Prometheus conventions: {@code pgferry_} prefix, base
 * units, {@code _total} counters (Micrometer adds the suffix), one {@code slot} label.
 */
public final class StreamMetrics {
    private StreamMetrics() {}

    /**
     * Registers the stream's meters, labelled with its slot; {@code stats} is read at every scrape.
     *
     * <p>Micrometer holds the object of a function counter or gauge weakly, so a supplier made for the call (a lambda
     * or method reference) would be collected and its meters frozen at their last value or NaN; the gauges are
     * registered with strong references, and they keep the supplier alive for the counters too. (Issue #9: a scrape
     * of a running stream showed 0 transactions and NaN positions after the first garbage collection.)
     */
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
        FunctionCounter.builder("pgferry.stream.errors", stats, s -> s.get().connectionErrors())
                .description("retriable failures, by kind: the source connection, or the destination (the handler)")
                .tags("slot", slot, "kind", "source")
                .register(registry);
        FunctionCounter.builder("pgferry.stream.errors", stats, s -> s.get().handlerErrors())
                .description("retriable failures, by kind: the source connection, or the destination (the handler)")
                .tags("slot", slot, "kind", "destination")
                .register(registry);
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
                "pgferry.stream.offheap.bytes",
                "off-heap memory held now (transactions in flight)",
                slot,
                stats,
                s -> s.offHeapBytes());
        gauge(
                registry,
                "pgferry.stream.lag.seconds",
                "now minus the commit time of the last acknowledged (applied, written) transaction; NaN before one",
                slot,
                stats,
                s -> s.lastAcknowledgedCommit() == null ? Double.NaN : secondsSince(s.lastAcknowledgedCommit()));
        gauge(
                registry,
                "pgferry.stream.oldest.unacknowledged.seconds",
                "age of the oldest transaction handed on and not acknowledged yet (by commit time); 0 when none",
                slot,
                stats,
                s -> s.oldestUnacknowledgedCommit() == null ? 0 : secondsSince(s.oldestUnacknowledgedCommit()));
        gauge(
                registry,
                "pgferry.stream.offheap.peak.bytes",
                "most off-heap memory held at once",
                slot,
                stats,
                s -> s.peakOffHeapBytes());
    }

    private static double secondsSince(Instant t) {
        return Math.max(0, Duration.between(t, Instant.now()).toNanos() / 1e9);
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
                .strongReference(true)
                .register(r);
    }
}
