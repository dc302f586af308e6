/**
 * Benchmarks. JMH micro-benchmarks of the pgoutput parser and the transaction assembler on synthetic bytes
 * ({@link io.pgferry.bench.ParserBenchmark}, {@link io.pgferry.bench.AssemblerBenchmark}), run by
 * {@code java -jar pgferry-bench/target/pgferry-bench.jar}; and {@link io.pgferry.bench.StreamBenchmark}, which
 * streams the same WAL through pg_recvlogical, the pgferry library and the pgferry CLI and compares their wall times
 * ({@code scripts/bench-stream.sh}).
 */
package io.pgferry.bench;
