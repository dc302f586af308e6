package io.pgferry.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The settings of the sink's Kafka clients. The producer gets the target's producer settings over pgferry's
 * defaults, then what the delivery mode needs; the admin client and the consumer get, of the target's settings, those
 * they know (TLS, SASL, timeouts), so that all three reach the cluster the same way and none warns about settings
 * that are not its own.
 */
final class ClientSettings {
    /**
     * The longest a Kafka transaction may stay open: the broker's default {@code transaction.max.timeout.ms}. Kafka's
     * default of one minute would abort a large source transaction still being sent.
     */
    static final String TRANSACTION_TIMEOUT_MS = "900000";

    /** Half the broker's default {@code message.max.bytes}, so that a full batch is never refused as too large. */
    static final String BATCH_SIZE = "524288";

    private ClientSettings() {}

    /** @param transactionalId null for the at-least-once producer */
    static Map<String, Object> producer(KafkaTarget target, String transactionalId, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        }
        // A transaction's first send may meet the broker still writing the previous one's markers
        // (CONCURRENT_TRANSACTIONS); the default 100 ms back-off would then cost most of a small transaction.
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "10");
        // A change stream sends many small records to a few partitions: batches of Kafka's default 16 KiB, sent after
        // 5 ms, made the broker's request handling the bottleneck (the Kafka benchmark went from 18.6k to 33.9k
        // changes/s with these). Every commit flushes, so the linger never delays a confirmed position.
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_SIZE);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.putAll(target.producerProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return p;
    }

    static Map<String, Object> admin(KafkaTarget target, String clientId) {
        Map<String, Object> p = shared(target, AdminClientConfig.configNames());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return p;
    }

    /** A consumer that reads only committed records, assigned partitions by hand (no group). */
    static Map<String, Object> consumer(KafkaTarget target, String clientId) {
        Map<String, Object> p = shared(target, ConsumerConfig.configNames());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Reading a position must not create the topic it looks for (a status of a sync that never ran).
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private static Map<String, Object> shared(KafkaTarget target, Set<String> known) {
        Map<String, Object> p = new HashMap<>();
        target.producerProperties().forEach((k, v) -> {
            if (known.contains(k)) {
                p.put(k, v);
            }
        });
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
        return p;
    }
}
