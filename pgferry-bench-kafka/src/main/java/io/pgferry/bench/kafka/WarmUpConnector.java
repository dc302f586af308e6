package io.pgferry.bench.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/**
 * A source connector that writes {@code records} made-up change records (a key {@code Struct} and an envelope {@code
 * Struct} with {@code before}, {@code after}, {@code source} and {@code op}) to {@code topic}, then idles. The harness
 * runs it on each Connect cluster before the timed runs, so that the code every connector's records go through
 * (Connect's send path, JsonConverter, the producer, the broker) is compiled before either connector is timed; without
 * it, whichever connector ran first on a cluster paid for that alone.
 */
public final class WarmUpConnector extends SourceConnector {
    static final String TOPIC = "topic";
    static final String RECORDS = "records";

    private Map<String, String> config;

    @Override
    public void start(Map<String, String> props) {
        config = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return WarmUpTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(config);
    }

    @Override
    public void stop() {
        // Nothing held.
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef()
                .define(TOPIC, ConfigDef.Type.STRING, ConfigDef.Importance.HIGH, "the topic to write to")
                .define(RECORDS, ConfigDef.Type.LONG, ConfigDef.Importance.HIGH, "how many records to write");
    }

    @Override
    public String version() {
        return "1";
    }

    /** Writes the records a thousand per poll, then waits in {@code poll()} until stopped. */
    public static final class WarmUpTask extends SourceTask {
        private static final Schema KEY = SchemaBuilder.struct()
                .name("warm.Key")
                .field("id", Schema.INT64_SCHEMA)
                .build();
        private static final Schema ROW = SchemaBuilder.struct()
                .name("warm.Value")
                .optional()
                .field("id", Schema.INT64_SCHEMA)
                .field("a", Schema.INT32_SCHEMA)
                .field("b", Schema.OPTIONAL_STRING_SCHEMA)
                .field("c", Schema.OPTIONAL_STRING_SCHEMA)
                .build();
        private static final Schema SOURCE = SchemaBuilder.struct()
                .name("warm.Source")
                .field("table", Schema.STRING_SCHEMA)
                .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
                .build();
        private static final Schema ENVELOPE = SchemaBuilder.struct()
                .name("warm.Envelope")
                .field("before", ROW)
                .field("after", ROW)
                .field("source", SOURCE)
                .field("op", Schema.STRING_SCHEMA)
                .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
                .build();

        private final CountDownLatch stopped = new CountDownLatch(1);
        private String topic;
        private long records;
        private long made;

        @Override
        public void start(Map<String, String> props) {
            topic = props.get(TOPIC);
            records = Long.parseLong(props.get(RECORDS));
        }

        @Override
        public List<SourceRecord> poll() throws InterruptedException {
            if (made >= records) {
                stopped.await(100, TimeUnit.MILLISECONDS); // nothing more to write: Connect calls again
                return null;
            }
            List<SourceRecord> out = new ArrayList<>(1000);
            for (int i = 0; i < 1000 && made < records; i++, made++) {
                Struct row = new Struct(ROW)
                        .put("id", made)
                        .put("a", (int) (made % 1000))
                        .put("b", Long.toHexString(made * 0x9E3779B97F4A7C15L))
                        .put("c", "2026-01-01T00:00:00Z");
                Struct value = new Struct(ENVELOPE)
                        .put("before", null)
                        .put("after", row)
                        .put("source", new Struct(SOURCE).put("table", "warm").put("lsn", made))
                        .put("op", "c")
                        .put("ts_ms", made);
                out.add(new SourceRecord(
                        Map.of("warm", "up"),
                        Map.of("made", made),
                        topic,
                        null,
                        KEY,
                        new Struct(KEY).put("id", made),
                        ENVELOPE,
                        value));
            }
            return out;
        }

        @Override
        public void stop() {
            stopped.countDown();
        }

        @Override
        public String version() {
            return "1";
        }
    }
}
