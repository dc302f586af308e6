package io.pgferry.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.core.Lsn;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.core.sink.CopyRangeId;
import io.pgferry.kafka.event.TableFacts;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An initial copy's range marks in the offsets topic (issue 7), on a real broker: the last committed mark of a range
 * wins, a later sink of the same worker reads it, status never takes a mark for a sync, and the marks are removed
 * when a copy starts.
 */
@Tag("kafka")
class CopyMarksTest {
    private static final CopyRangeId RANGE = new CopyRangeId("\"public\".\"t\"", 1024);

    @Test
    void aMarkIsSeenOnceCommittedAndRemovedByTheNextCopy() {
        String prefix = TestBroker.freshPrefix();
        KafkaTarget target = TestBroker.target(prefix).build();
        try (KafkaPositions positions = new KafkaPositions(target)) {
            positions.copyStarted();
            assertThat(positions.forgetCopyMarks())
                    .as("exactly-once copies keep marks")
                    .isTrue();
            try (KafkaSink worker = KafkaSink.openCopyWorker(target, 0, r -> TableFacts.NONE)) {
                assertThat(worker.keepsCopyMarks()).isTrue();
                assertThat(worker.copiedRows(RANGE)).isEmpty();
                worker.begin();
                worker.commitCopy(RANGE, 5000);
                worker.begin();
                worker.commitCopy(RANGE, 10000);
                // Each range has a mark of its own.
                worker.begin();
                worker.commitCopy(new CopyRangeId(RANGE.relation(), 0), 7);
            }
            try (KafkaSink again = KafkaSink.openCopyWorker(target, 0, r -> TableFacts.NONE)) {
                assertThat(again.copiedRows(RANGE)).isEqualTo(OptionalLong.of(10000));
                assertThat(again.copiedRows(new CopyRangeId(RANGE.relation(), 0)))
                        .isEqualTo(OptionalLong.of(7));
                assertThat(again.copiedRows(new CopyRangeId(RANGE.relation(), 2048)))
                        .isEmpty();
            }
            // The end of a copy removes the marks of its own ranges, without reading the topic.
            positions.removeCopyMarks(List.of(RANGE));
            try (KafkaSink after = KafkaSink.openCopyWorker(target, 0, r -> TableFacts.NONE)) {
                assertThat(after.copiedRows(RANGE)).isEmpty();
                assertThat(after.copiedRows(new CopyRangeId(RANGE.relation(), 0)))
                        .isEqualTo(OptionalLong.of(7));
            }
            positions.save(new Checkpoint(Lsn.parse("0/16B3748"), "fp"));
            assertThat(KafkaPositions.readAll(target, false))
                    .as("marks are not syncs")
                    .extracting(KafkaPositions.StoredPosition::sync)
                    .containsExactly(prefix);
            assertThat(positions.forgetCopyMarks()).isTrue();
            try (KafkaSink after = KafkaSink.openCopyWorker(target, 0, r -> TableFacts.NONE)) {
                assertThat(after.copiedRows(new CopyRangeId(RANGE.relation(), 0)))
                        .isEmpty();
            }
        }
    }

    @Test
    void anAtLeastOnceCopyKeepsNone() {
        KafkaTarget target = TestBroker.target(TestBroker.freshPrefix())
                .delivery(Delivery.AT_LEAST_ONCE)
                .build();
        try (KafkaPositions positions = new KafkaPositions(target);
                KafkaSink worker = KafkaSink.openCopyWorker(target, 0, r -> TableFacts.NONE)) {
            assertThat(positions.forgetCopyMarks()).isFalse();
            assertThat(worker.keepsCopyMarks()).isFalse();
            assertThat(worker.copiedRows(RANGE)).isEmpty();
        }
    }
}
