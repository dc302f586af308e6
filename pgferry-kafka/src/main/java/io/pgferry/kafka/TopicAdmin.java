package io.pgferry.kafka;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the sink's topics when they are missing: data topics with the broker's defaults (partitions, replication),
 * the offsets topic compacted with one partition. A topic is looked up before it is created, so that a principal
 * allowed to write an existing topic but not to create topics still works. Remembers the topics it knows exist. Not
 * thread-safe.
 */
final class TopicAdmin implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Admin admin;
    private final Set<String> known = new HashSet<>();

    TopicAdmin(Map<String, Object> settings) {
        this.admin = Admin.create(settings);
    }

    /** Makes sure {@code topic} exists, creating it with the broker's defaults if not. */
    void ensure(String topic) throws ExecutionException, InterruptedException, TimeoutException {
        ensure(topic, false);
    }

    /** Makes sure the compacted, single-partition offsets topic exists. */
    void ensureCompacted(String topic) throws ExecutionException, InterruptedException, TimeoutException {
        ensure(topic, true);
    }

    private void ensure(String topic, boolean compacted)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (known.contains(topic)) {
            return;
        }
        if (!exists(topic)) {
            NewTopic t = compacted
                    ? new NewTopic(topic, Optional.of(1), Optional.empty())
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))
                    : new NewTopic(topic, Optional.empty(), Optional.empty());
            try {
                admin.createTopics(List.of(t)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                // Created meanwhile by another sink of the same sync (a copy worker): what was wanted.
            }
        }
        known.add(topic);
    }

    private boolean exists(String topic) throws ExecutionException, InterruptedException, TimeoutException {
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
