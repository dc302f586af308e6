package io.pgferry.kafka.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The JSON form of Kafka Connect's JsonConverter: a record is its payload alone ({@code schemas.enable=false}) or
 * {@code {"schema": ..., "payload": ...}} ({@code schemas.enable=true}), and schemas are written as it writes them.
 * Thread-safe: the factory is.
 */
public final class ConnectJson {
    static final JsonFactory FACTORY = new JsonFactory();

    /** Writes JSON to a generator; may throw what the generator throws. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private ConnectJson() {}

    /** The record bytes: the payload, framed with {@code schema} (JSON text) when {@code schemas} is on. */
    public static byte[] record(boolean schemas, String schema, Body payload) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (schemas) {
                g.writeStartObject();
                g.writeFieldName("schema");
                g.writeRawValue(schema);
                g.writeFieldName("payload");
                payload.write(g);
                g.writeEndObject();
            } else {
                payload.write(g);
            }
        } catch (IOException e) {
            // Writing to memory: only a bug of ours (an unbalanced object) gets here.
            throw new UncheckedIOException("could not render a Kafka record", e);
        }
        return out.toByteArray();
    }

    /** Renders JSON text, for schemas rendered once and embedded in many records. */
    static String render(Body body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("could not render a Connect schema", e);
        }
        return out.toString();
    }

    /** A field of a struct schema with a plain type. */
    static void field(JsonGenerator g, String type, boolean optional, String name) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", type);
        g.writeBooleanField("optional", optional);
        g.writeStringField("field", name);
        g.writeEndObject();
    }

    /** A field of a struct schema with a semantic name. */
    static void namedField(JsonGenerator g, String type, boolean optional, String schemaName, String name)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("type", type);
        g.writeBooleanField("optional", optional);
        g.writeStringField("name", schemaName);
        g.writeNumberField("version", 1);
        g.writeStringField("field", name);
        g.writeEndObject();
    }
}
