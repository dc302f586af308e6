/**
 * The commands around the change stream: {@link io.pgferry.cli.stream.StreamCommand} ({@code pgferry stream}, JSON
 * lines of committed changes), {@link io.pgferry.cli.stream.CheckCommand} (is a source ready), {@link
 * io.pgferry.cli.stream.SlotsCommand} (list and drop slots) and {@link io.pgferry.cli.stream.DemoCommand} (the stream
 * of an embedded PostgreSQL under a small workload).
 */
package io.pgferry.cli.stream;
