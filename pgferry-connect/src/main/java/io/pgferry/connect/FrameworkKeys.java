package io.pgferry.connect;

import java.util.List;

/**
 * The keys Kafka Connect itself reads from a connector's configuration, beside the connector's own: a key that is
 * neither is refused by the connectors' {@code validate}, which Connect does not do (a misspelt key would otherwise be
 * ignored in silence).
 */
public final class FrameworkKeys {
    private static final List<String> COMMON = List.of(
            "name",
            "connector.class",
            "connector.plugin.version",
            "tasks.max",
            "tasks.max.enforce",
            "config.action.reload");

    private static final List<String> SOURCE = List.of(
            "exactly.once.support",
            "transaction.boundary",
            "transaction.boundary.interval.ms",
            "offsets.storage.topic");

    private static final List<String> SINK = List.of("topics", "topics.regex");

    private static final List<String> PREFIXES = List.of(
            "key.converter",
            "value.converter",
            "header.converter",
            "transforms",
            "predicates",
            "errors.",
            "topic.creation.",
            "producer.override.",
            "consumer.override.",
            "admin.override.");

    private FrameworkKeys() {}

    /** A key Connect reads for a source connector. */
    public static boolean isSourceKey(String key) {
        return COMMON.contains(key) || SOURCE.contains(key) || hasPrefix(key);
    }

    /** A key Connect reads for a sink connector. */
    public static boolean isSinkKey(String key) {
        return COMMON.contains(key) || SINK.contains(key) || hasPrefix(key);
    }

    private static boolean hasPrefix(String key) {
        return PREFIXES.stream().anyMatch(key::startsWith);
    }
}
