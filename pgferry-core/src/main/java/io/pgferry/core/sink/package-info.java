/**
 * The interfaces every destination and every pipeline share. Start at {@link io.pgferry.core.sink.ChangeSink}: what a
 * destination implements, with the durability contract the engine relies on. {@link io.pgferry.core.sink.Stage} sits
 * between the stream and a sink; {@link io.pgferry.core.sink.TableState} is the per-table life cycle a sync records.
 */
package io.pgferry.core.sink;
