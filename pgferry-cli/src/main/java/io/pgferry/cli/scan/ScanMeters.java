package io.pgferry.cli.scan;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgferry.metrics.SlotMetrics;
import io.pgferry.metrics.StreamMetrics;
import io.pgferry.scan.RuleReloader;
import io.pgferry.scan.ScanSupervisor;
import io.pgferry.scan.alert.Alerts;
import io.pgferry.scan.alert.Channel;
import io.pgferry.scan.alert.OutboxChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The meters of {@code pgferry scan}: each database's stream and slot (labelled by slot), findings by rule and
 * severity (both bounded by the rule set), findings suppressed as repeats, failed rule reloads, and per channel
 * (bounded by the configuration) findings sent, failed sends and outbox depth.
 */
final class ScanMeters implements AutoCloseable {
    private final List<SlotMetrics> slots = new ArrayList<>();

    void bind(MeterRegistry registry, ScanPlan plan, ScanSupervisor supervisor, Alerts alerts, RuleReloader reloader) {
        for (ScanPlan.Database d : plan.databases()) {
            String slot = d.stream().build().slot();
            StreamMetrics.bind(registry, slot, () -> supervisor.stats(d.identity()));
            slots.add(new SlotMetrics(d.source(), slot, Duration.ofSeconds(5)).bind(registry));
        }
        List<Channel> local = new ArrayList<>();
        for (Channel c : alerts.channels()) {
            if (c instanceof OutboxChannel remote) {
                FunctionCounter.builder("pgferry.scan.channel.sent", remote, OutboxChannel::sent)
                        .description("findings the channel's peer accepted")
                        .tag("channel", c.name())
                        .register(registry);
                FunctionCounter.builder("pgferry.scan.channel.failures", remote, OutboxChannel::failures)
                        .description("sends that failed and will be retried")
                        .tag("channel", c.name())
                        .register(registry);
                Gauge.builder("pgferry.scan.outbox.bytes", remote, OutboxChannel::pendingBytes)
                        .description("findings in the channel's outbox not sent yet, in bytes")
                        .tag("channel", c.name())
                        .register(registry);
            } else {
                local.add(c);
                registry.counter("pgferry.scan.channel.sent", "channel", c.name());
                FunctionCounter.builder("pgferry.scan.channel.failures", c, x -> 0)
                        .description("sends that failed and will be retried")
                        .tag("channel", c.name())
                        .register(registry);
            }
        }
        alerts.onDelivered(f -> {
            registry.counter(
                            "pgferry.scan.findings",
                            "rule",
                            f.rule(),
                            "severity",
                            f.severity().label())
                    .increment();
            for (Channel c : local) {
                if (f.routesTo(c.name())) {
                    registry.counter("pgferry.scan.channel.sent", "channel", c.name())
                            .increment();
                }
            }
        });
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
