/**
 * Operations: the Prometheus metrics of long-running commands and their HTTP endpoints. Start at
 * {@link io.pgferry.metrics.MetricsServer} ({@code /metrics}, {@code /health}, {@code /ready}); the meters of each
 * part are bound by {@link io.pgferry.metrics.StreamMetrics} and {@link io.pgferry.metrics.SlotMetrics}.
 */
package io.pgferry.metrics;
