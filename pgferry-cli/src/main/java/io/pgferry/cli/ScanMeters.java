package io.pgferry.cli;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgferry.metrics.SlotMetrics;
import io.pgferry.metrics.StreamMetrics;
import io.pgferry.scan.RuleReloader;
import io.pgferry.scan.ScanSupervisor;
import io.pgferry.scan.alert.Alerts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The meters of {@code pgferry scan}: each database's stream and slot (labelled by slot), findings by rule and
 * severity (both bounded by the rule set), findings suppressed as repeats, and failed rule reloads.
 */
final class ScanMeters implements AutoCloseable {
    private final List<SlotMetrics> slots = new ArrayList<>();

    void bind(MeterRegistry registry, ScanPlan plan, ScanSupervisor supervisor, Alerts alerts, RuleReloader reloader) {
        for (ScanPlan.Database d : plan.databases()) {
            String slot = d.stream().build().slot();
            StreamMetrics.bind(registry, slot, () -> supervisor.stats(d.identity()));
            slots.add(new SlotMetrics(d.source(), slot, Duration.ofSeconds(5)).bind(registry));
        }
        alerts.onDelivered(f -> registry.counter(
                        "pgferry.scan.findings",
                        "rule",
                        f.rule(),
                        "severity",
                        f.severity().label())
                .increment());
        FunctionCounter.builder("pgferry.scan.findings.suppressed", alerts, Alerts::suppressed)
                .description("findings not delivered: an equal one was within the deduplication window")
                .register(registry);
        if (reloader != null) {
            FunctionCounter.builder("pgferry.scan.rule.reload.failures", reloader, RuleReloader::failures)
                    .description("rule file changes refused because the file did not load")
                    .register(registry);
        }
    }

    @Override
    public void close() {
        slots.forEach(SlotMetrics::close);
    }
}
