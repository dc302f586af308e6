package io.pgferry.kafka.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Renders records as {@link ConnectJson#record} does, through one JSON generator and one buffer kept for every
 * record, for the records of row changes, of which there is one or more per change. A generator made per record cost
 * more than the record itself: its buffers and context, a thread-local look-up for its buffer recycler, and the
 * growth of a small output buffer, about 40% of what the sink allocated in the Kafka benchmark.
 *
 * <p>Invariant: between two calls the generator is at its root and the buffer is empty; a failed record discards
 * both. Not thread-safe: one per {@link EventRecords}.
 */
final class RecordWriter {
    private static final SerializedString SCHEMA = new SerializedString("schema");
    private static final SerializedString PAYLOAD = new SerializedString("payload");

    private final ByteArrayBuilder out = new ByteArrayBuilder(4096);
    private JsonGenerator g = generator();

    /** The record bytes: the payload, framed with {@code schema} (JSON text) when {@code schemas} is on. */
    byte[] record(boolean schemas, SerializableString schema, ConnectJson.Body payload) {
        try {
            if (schemas) {
                g.writeStartObject();
                g.writeFieldName(SCHEMA);
                g.writeRawValue(schema);
                g.writeFieldName(PAYLOAD);
                payload.write(g);
                g.writeEndObject();
            } else {
                payload.write(g);
            }
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            g = generator();
            // Writing to memory: only a bug of ours (an unbalanced object) gets here.
            throw new UncheckedIOException("could not render a Kafka record", e);
        } catch (RuntimeException e) {
            g = generator();
            throw e;
        } finally {
            out.reset();
        }
    }

    private JsonGenerator generator() {
        out.reset();
        try {
            JsonGenerator generator = ConnectJson.FACTORY.createGenerator(out);
            // Each record is a root value of its own: no separator between them.
            generator.setRootValueSeparator(null);
            return generator;
        } catch (IOException e) {
            throw new UncheckedIOException("could not open a JSON generator on memory", e);
        }
    }
}
