package io.pgferry.cli.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pgferry.cli.command.ControlPlaneOption;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.verify.control.ControlPlane;
import io.pgferry.verify.guard.Registrations;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The meters of {@code pgferry guard run}: per database and registered table (bounded: the registered tables), the
 * buckets, the dirty buckets waiting to be recomputed and the age of the oldest; and, from the control plane, the last
 * verification's outcome, time and coverage, and its divergent buckets per table. Read before a scrape at most once
 * per {@code maxAge}, each database on a connection of its own; a side that cannot be read leaves its last figures.
 */
final class GuardMeters implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Dsn> databases;
    private final Supplier<ControlPlane> control;
    private final long maxAgeNanos;
    private final Map<Meter, Double> values = new ConcurrentHashMap<>();
    private final Map<Dsn, Connection> connections = new ConcurrentHashMap<>();
    private long readAt;

    /** A gauge's name and labels. */
    private record Meter(String name, Tags tags) {}

    /** @param control the control plane to read results from; null when there is none */
    GuardMeters(List<Dsn> databases, Supplier<ControlPlane> control, Duration maxAge) {
        this.databases = databases;
        this.control = control;
        this.maxAgeNanos = maxAge.toNanos();
    }

    /** Reads the figures when they are older than the maximum age, registering gauges for what is new. */
    synchronized void refresh(MeterRegistry registry) {
        long now = System.nanoTime();
        if (readAt != 0 && now - readAt < maxAgeNanos) {
            return;
        }
        readAt = now;
        for (Dsn d : databases) {
            String database = ControlPlaneOption.name(d);
            try {
                for (Registrations.TableState t : Registrations.states(connection(d))) {
                    Tags tags = Tags.of("database", database, "table", t.schema() + "." + t.table());
                    set(registry, "pgferry.guard.buckets", "buckets of the registered table", tags, t.buckets());
                    set(
                            registry,
                            "pgferry.guard.dirty.buckets",
                            "buckets waiting to be recomputed",
                            tags,
                            t.dirtyBuckets());
                    set(
                            registry,
                            "pgferry.guard.oldest.dirty.seconds",
                            "age of the oldest dirty bucket; 0 when none",
                            tags,
                            t.oldestDirty() == null ? 0 : secondsSince(t.oldestDirty()));
                }
            } catch (SQLException | RuntimeException e) {
                forget(d);
            }
        }
        if (control != null) {
            readControlPlane(registry);
        }
    }

    private void readControlPlane(MeterRegistry registry) {
        try (ControlPlane c = control.get()) {
            List<ControlPlane.Run> runs = c.runs(1);
            if (runs.isEmpty()) {
                return;
            }
            ControlPlane.Run run = runs.get(0);
            Tags none = Tags.empty();
            set(
                    registry,
                    "pgferry.verify.last.run.timestamp.seconds",
                    "when the last verification finished",
                    none,
                    run.finishedAt().toEpochMilli() / 1000.0);
            set(
                    registry,
                    "pgferry.verify.last.run.divergences",
                    "divergent buckets the last verification found",
                    none,
                    run.divergences());
            set(
                    registry,
                    "pgferry.verify.last.run.coverage.ratio",
                    "share of buckets the last verification compared",
                    none,
                    run.coveragePct() / 100.0);
            for (String outcome : List.of("in_sync", "diverged", "inconclusive")) {
                set(
                        registry,
                        "pgferry.verify.last.run.outcome",
                        "1 for the last verification's outcome",
                        Tags.of("outcome", outcome),
                        outcome.equalsIgnoreCase(run.outcome()) ? 1 : 0);
            }
            Map<String, Long> byTable = new TreeMap<>();
            for (ControlPlane.Divergence d : c.divergences(run.runId())) {
                byTable.merge(d.schema() + "." + d.table(), 1L, Long::sum);
            }
            // Tables of earlier runs that diverged and no longer do go back to 0.
            values.keySet().stream()
                    .filter(m -> m.name().equals("pgferry.verify.table.divergent.buckets"))
                    .forEach(m -> values.put(m, 0.0));
            byTable.forEach((table, n) -> set(
                    registry,
                    "pgferry.verify.table.divergent.buckets",
                    "divergent buckets of the table in the last verification",
                    Tags.of("table", table),
                    n));
        } catch (RuntimeException e) {
            // The control plane is unreadable now (a file being written, a server away): keep the last figures.
        }
    }

    /** The {@code /status} document: the figures last read, one object per meter and labels. */
    String statusJson() {
        List<Map<String, Object>> figures = values.entrySet().stream()
                .sorted(Comparator.comparing(e -> e.getKey().name() + e.getKey().tags()))
                .map(e -> {
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("metric", e.getKey().name());
                    e.getKey().tags().forEach(t -> f.put(t.getKey(), t.getValue()));
                    f.put("value", e.getValue());
                    return f;
                })
                .toList();
        try {
            return JSON.writeValueAsString(Map.of("command", "guard run", "figures", figures));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and numbers is always JSON", e);
        }
    }

    private void set(MeterRegistry registry, String name, String help, Tags tags, double value) {
        Meter m = new Meter(name, tags);
        if (values.put(m, value) == null) {
            Gauge.builder(name, values, v -> v.getOrDefault(m, Double.NaN))
                    .description(help)
                    .tags(tags)
                    .register(registry);
        }
    }

    private Connection connection(Dsn d) throws SQLException {
        Connection c = connections.get(d);
        if (c == null || c.isClosed()) {
            c = Connections.open(d);
            connections.put(d, c);
        }
        return c;
    }

    private void forget(Dsn d) {
        Connection c = connections.remove(d);
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // Abandoning a broken connection; the next scrape opens another.
            }
        }
    }

    private static double secondsSince(Instant t) {
        return Math.max(0, Duration.between(t, Instant.now()).toNanos() / 1e9);
    }

    @Override
    public synchronized void close() {
        databases.forEach(this::forget);
    }
}
