package io.pgferry.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

/** A heartbeat in the json formats is what JsonConverter writes for it in the struct format. */
class HeartbeatTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theJsonFormatsAreJsonConvertersBytes() throws Exception {
        Instant now = Instant.parse("2026-11-23T10:00:00.123Z");
        Heartbeat struct = new Heartbeat("shop.eu-1_a", RecordFormat.STRUCT);
        for (boolean schemas : new boolean[] {false, true}) {
            Heartbeat json = new Heartbeat("shop.eu-1_a", schemas ? RecordFormat.JSON_WITH_SCHEMAS : RecordFormat.JSON);
            JsonConverter keys = new JsonConverter();
            keys.configure(Map.of("schemas.enable", String.valueOf(schemas)), true);
            JsonConverter values = new JsonConverter();
            values.configure(Map.of("schemas.enable", String.valueOf(schemas)), false);
            assertThat(JSON.readTree((byte[]) json.key()))
                    .isEqualTo(JSON.readTree(keys.fromConnectData(json.topic(), struct.keySchema(), struct.key())));
            assertThat(JSON.readTree((byte[]) json.value(now)))
                    .isEqualTo(JSON.readTree(
                            values.fromConnectData(json.topic(), struct.valueSchema(), (Struct) struct.value(now))));
        }
    }
}
