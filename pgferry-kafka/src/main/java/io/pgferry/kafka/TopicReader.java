package io.pgferry.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads one of pgferry's own topics (offsets, table states) from its start to the end offsets of the moment it
 * starts: for a {@code read_committed} consumer that end is the last stable offset, so no open transaction is waited
 * for.
 */
final class TopicReader {
    private static final Duration POLL = Duration.ofMillis(200);

    private TopicReader() {}

    /**
     * Hands every record of {@code topic} to {@code each}, in offset order per partition; false when the topic does
     * not exist. Throws {@link TimeoutException} when the end is not reached within {@code timeout}.
     */
    static boolean readToEnd(
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
