package io.pgferry.connect.source;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.kafka.event.JsonRecords;
import io.pgferry.kafka.event.TableFacts;
import java.time.Clock;
import java.util.function.Function;
import org.apache.kafka.connect.data.Schema;

/**
 * The {@code json} and {@code json-with-schemas} record formats: keys and values are the bytes Connect's JsonConverter
 * would write for the {@code struct} format, rendered directly by the Kafka destination's encoder, for a connector
 * whose converters are {@code ByteArrayConverter}. Connect then spends nothing on conversion; transformations that
 * read fields do not apply.
 */
final class JsonEncoder implements Encoder {
    private final JsonRecords records;

    JsonEncoder(
            String prefix,
            String db,
            boolean schemas,
            boolean tombstones,
            Clock clock,
            Function<Relation, TableFacts> facts) {
        this.records = new JsonRecords(prefix, db, schemas, tombstones, clock, facts);
    }

    @Override
    public void add(ChangeEvent change, Origin origin, Out out) {
        records.add(
                change,
                origin.xid(),
                origin.commitTime(),
                r -> out.add(
                        r.topic(),
                        Schema.OPTIONAL_BYTES_SCHEMA,
                        r.key(),
                        Schema.OPTIONAL_BYTES_SCHEMA,
                        r.value(),
                        r.unchangedToast()));
    }
}
