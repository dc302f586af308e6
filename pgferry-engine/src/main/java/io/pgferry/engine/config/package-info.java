/**
 * What a sync is told: {@link io.pgferry.engine.config.SyncConfig} (built once, validated at {@code build()}, every
 * problem reported with the setting it concerns and a fix), with its copy mode, DDL mode and table patterns.
 */
package io.pgferry.engine.config;
