package io.pgferry.connect.source;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/**
 * What Connect gives a source task on a connector's first start, for tests that drive a task without a worker: no
 * stored offset and no exactly-once transactions.
 */
record FirstStartContext(Map<String, String> configs) implements SourceTaskContext {
    @Override
    public PluginMetrics pluginMetrics() {
        throw new UnsupportedOperationException("the task uses no plugin metrics");
    }

    @Override
    public OffsetStorageReader offsetStorageReader() {
        return new OffsetStorageReader() {
            @Override
            public <T> Map<String, Object> offset(Map<String, T> partition) {
                return null;
            }

            @Override
            public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                return Map.of();
            }
        };
    }
}
