/**
 * Where findings go and how they stay at-least-once: start at {@link io.pgferry.scan.alert.Channel} (the durability
 * contract) and {@link io.pgferry.scan.alert.Alerts} (routing, deduplication, flush order).
 */
package io.pgferry.scan.alert;
