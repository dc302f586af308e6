/**
 * Reading configuration for the command line: start at {@link io.pgferry.cli.config.ConfigFile} (one YAML file,
 * shared keys and per-command sections, secrets from files or environment variables through {@link
 * io.pgferry.core.Secrets}, unknown keys refused with the closest valid name). The precedence of file,
 * environment and flags is applied by {@code io.pgferry.cli.ConfigDefaults}; picocli's converters for durations and
 * sizes are here too.
 */
package io.pgferry.cli.config;
