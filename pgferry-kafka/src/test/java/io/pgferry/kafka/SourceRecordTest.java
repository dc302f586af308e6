package io.pgferry.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.core.Lsn;
import io.pgferry.core.sink.SourceState;
import io.pgferry.kafka.event.ConnectJson;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The source-state record a Kafka sync keeps in its table-state topic reads back as written (issue 7). */
class SourceRecordTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SourceState roundTrip(SourceState s) throws Exception {
        JsonNode n = JSON.readTree(ConnectJson.record(false, null, g -> SourceRecord.write(g, "sync_a", s)));
        assertThat(SourceRecord.is(n)).isTrue();
        assertThat(n.get("sync").asText()).isEqualTo("sync_a");
        return SourceRecord.parse(n);
    }

    @Test
    void everyFieldReadsBackAsWritten() throws Exception {
        SourceState full = new SourceState(
                Lsn.of(Long.MAX_VALUE),
                "active",
                Lsn.of(0x1_0000_0000L),
                123_456_789L,
                Instant.ofEpochMilli(1_790_000_000_123L),
                Instant.ofEpochMilli(1_790_000_000_000L));
        assertThat(roundTrip(full)).isEqualTo(full);
    }

    @Test
    void aMissingSlotAndAnUnknownCatchUpReadBackAsNulls() throws Exception {
        SourceState none = new SourceState(Lsn.of(42), "missing", null, null, Instant.ofEpochMilli(1_000), null);
        assertThat(roundTrip(none)).isEqualTo(none);
    }

    @Test
    void aTablesRecordIsNotASourceState() throws Exception {
        assertThat(SourceRecord.is(JSON.readTree("{\"sync\":\"s\",\"table\":\"public.t\",\"state\":\"streaming\"}")))
                .isFalse();
    }
}
