package io.pgferry.connect.source;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.source.TransactionContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/**
 * What Connect gives a source task, for tests that drive a task without a worker: the partition's last committed
 * offset (null on a connector's first start) and, when the worker runs exactly-once source tasks with
 * connector-defined boundaries, the transaction context (null otherwise).
 */
record TaskContext(Map<String, String> configs, Map<String, Object> stored, TransactionContext transactionContext)
        implements SourceTaskContext {

    /** A connector's first start: no stored offset, no exactly-once transactions. */
    static TaskContext firstStart(Map<String, String> configs) {
        return new TaskContext(configs, null, null);
    }

    @Override
    public PluginMetrics pluginMetrics() {
        throw new UnsupportedOperationException("the task uses no plugin metrics");
    }

    @Override
    public OffsetStorageReader offsetStorageReader() {
        return new OffsetStorageReader() {
            @Override
            public <T> Map<String, Object> offset(Map<String, T> partition) {
                return stored;
            }

            @Override
            public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                throw new UnsupportedOperationException("the task reads one partition's offset");
            }
        };
    }
}
