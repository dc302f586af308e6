package io.pgferry.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Collects the runs and prints, per scenario and consumer, the median wall time, rows per second and the ratio of
 * that throughput to pg_recvlogical's ({@code recvlogical seconds / consumer seconds}; 1.00 = as fast, higher is
 * faster).
 */
final class ResultTable {
    static final String BASELINE = "pg_recvlogical";
    /** Ratios pgferry aims for: the library within 5 % of pg_recvlogical, the CLI (with JSON output) within 10 %. */
    private static final Map<String, Double> TARGETS = Map.of("pgferry library", 0.95, "pgferry CLI", 0.90);

    private final Map<Scenario, Map<String, List<Measurement>>> runs = new LinkedHashMap<>();

    void add(Scenario scenario, String consumer, Measurement m) {
        runs.computeIfAbsent(scenario, s -> new LinkedHashMap<>())
                .computeIfAbsent(consumer, c -> new ArrayList<>())
                .add(m);
    }

    /** The median wall time of a consumer in a scenario, or NaN without runs. */
    double medianSeconds(Scenario scenario, String consumer) {
        List<Measurement> ms = runs.getOrDefault(scenario, Map.of()).getOrDefault(consumer, List.of());
        if (ms.isEmpty()) {
            return Double.NaN;
        }
        double[] s = ms.stream().mapToDouble(Measurement::seconds).sorted().toArray();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    String render() {
        String header = String.format(
                Locale.ROOT,
                "%-28s %-16s %9s %12s %8s %7s  %s",
                "scenario",
                "consumer",
                "seconds",
                "rows/s",
                "ratio",
                "target",
                "runs (s)");
        StringBuilder out = new StringBuilder(header).append('\n');
        out.append("-".repeat(header.length() + 12)).append('\n');
        runs.forEach((scenario, byConsumer) -> {
            double base = medianSeconds(scenario, BASELINE);
            byConsumer.forEach((consumer, ms) -> {
                double seconds = medianSeconds(scenario, consumer);
                Double target = TARGETS.get(consumer);
                double ratio = base / seconds;
                String verdict = target == null
                        ? ""
                        : String.format(Locale.ROOT, "%s%.2f", ratio >= target ? ">=" : "<", target);
                out.append(String.format(
                        Locale.ROOT,
                        "%-28s %-16s %9.3f %,12.0f %8s %7s  %s%n",
                        scenario.label(),
                        consumer,
                        seconds,
                        scenario.rows() / seconds,
                        Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio),
                        verdict,
                        ms.stream()
                                .map(m -> String.format(Locale.ROOT, "%.3f", m.seconds()))
                                .collect(Collectors.joining(" "))));
            });
        });
        return out.toString();
    }
}
