package io.pgferry.connect;

import io.pgferry.kafka.event.SourceBlock;

/** The plugin's version, which both connectors and their tasks report to Connect: the project's version. */
public final class PluginVersion {
    private PluginVersion() {}

    public static String get() {
        return SourceBlock.VERSION.substring("pgferry-".length());
    }
}
