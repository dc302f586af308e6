package io.pgferry.bench;

/**
 * One timed run of a consumer.
 *
 * @param seconds wall time
 * @param rows rows the consumer reported, or -1 when it does not count them (pg_recvlogical)
 */
record Measurement(double seconds, long rows) {}
