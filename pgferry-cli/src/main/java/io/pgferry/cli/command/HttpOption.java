package io.pgferry.cli.command;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pgferry.core.PgFerryException;
import io.pgferry.metrics.MetricsServer;
import io.pgferry.metrics.Readiness;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --http [ADDR:]PORT} of a long-running command: serves {@code /metrics}, {@code /health} and {@code /ready}
 * (off unless given; on 127.0.0.1 unless an address is given, since metrics are nobody else's business by default).
 */
public final class HttpOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--http",
            paramLabel = "[ADDR:]PORT",
            description =
                    "Serve /metrics (Prometheus), /health, /ready and /status on ADDR:PORT (address 127.0.0.1 unless"
                            + " given; off by default).")
    String http;

    /** The address, checked at start; null when --http was not given. */
    public InetSocketAddress address() {
        if (http == null) {
            return null;
        }
        int colon = http.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : http.substring(0, colon);
        String port = colon < 0 ? http : http.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65_535 || host.isEmpty()) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(host, p);
        } catch (NumberFormatException e) {
            throw new ConfigurationError(
                    mixee.commandLine(),
                    PgFerryException.fatal(
                            "--http " + http + " is not [ADDR:]PORT", "give --http 9187 or --http 0.0.0.0:9187"));
        }
    }

    /**
     * Starts the endpoints when --http was given, after {@code meters} registered the command's meters; null
     * otherwise. The caller closes the server.
     */
    public MetricsServer start(Consumer<PrometheusMeterRegistry> meters, Readiness ready, Supplier<String> status) {
        return start(meters, ready, status, registry -> {});
    }

    /** The same, {@code beforeScrape} registering meters that appear while the command runs. */
    public MetricsServer start(
            Consumer<PrometheusMeterRegistry> meters,
            Readiness ready,
            Supplier<String> status,
            Consumer<PrometheusMeterRegistry> beforeScrape) {
        InetSocketAddress a = address();
        if (a == null) {
            return null;
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        meters.accept(registry);
        return MetricsServer.start(a, registry, ready, status, () -> beforeScrape.accept(registry));
    }
}
