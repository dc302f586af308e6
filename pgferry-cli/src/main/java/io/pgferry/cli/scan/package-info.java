/**
 * {@code pgferry scan} and {@code pgferry rules}: start at {@link io.pgferry.cli.scan.ScanCommand}; {@link
 * io.pgferry.cli.scan.ScanPlan} turns its options and the configuration file's {@code databases} and {@code
 * channels} sections ({@link io.pgferry.cli.scan.ScanSections}) into one scanner per database and the alert channels.
 */
package io.pgferry.cli.scan;
