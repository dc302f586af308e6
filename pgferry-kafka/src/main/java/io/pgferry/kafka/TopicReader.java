package io.pgferry.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads one of pgferry's own topics (offsets, table states, copy marks) from its start to the end offsets of the
 * moment it starts: for a {@code read_committed} consumer that end is the last stable offset, so no open transaction
 * is waited for.
 *
 * <p>The consumer is closed without waiting. It has no group, so there is nothing to commit or leave, and a close that
 * waits only waits for the fetch the consumer sent ahead after its last poll, which the broker holds up to {@code
 * fetch.max.wait.ms} (500 ms by default) at the end of a topic: closed so, every read took half a second more than its
 * records, and a sync's start into Kafka, which reads several of these topics, seconds longer (issue 7).
 */
final class TopicReader {
    private static final Duration POLL = Duration.ofMillis(200);

    private TopicReader() {}

    /**
     * Hands every record of {@code topic} to {@code each}, in offset order per partition, read by a consumer of {@code
     * settings} (without a group); false when the topic does not exist. Throws {@link TimeoutException} when the end is
     * not reached within {@code timeout}.
     */
    static boolean readToEnd(
            Map<String, Object> settings, String topic, Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> each)
            throws TimeoutException {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings);
        try {
            return readToEnd(consumer, topic, timeout, each);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
    }

    private static boolean readToEnd(
            KafkaConsumer<byte[], byte[]> consumer,
            String topic,
            Duration timeout,
            Consumer<ConsumerRecord<byte[], byte[]>> each)
            throws TimeoutException {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            return false;
        }
        List<TopicPartition> partitions = infos.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(consumer, end, timeout)) {
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("reading topic " + topic + " took longer than " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                each.accept(r);
            }
        }
        return true;
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end, Duration timeout) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey(), timeout) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
