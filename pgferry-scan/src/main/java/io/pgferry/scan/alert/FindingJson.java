package io.pgferry.scan.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.scan.Finding;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/** A finding as one JSON object, the form every machine-readable channel writes. */
public final class FindingJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private FindingJson() {}

    public static String of(Finding f) {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            write(g, f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    static void write(JsonGenerator g, Finding f) throws IOException {
        g.writeStartObject();
        g.writeStringField("database", f.database());
        g.writeStringField("schema", f.schema());
        g.writeStringField("table", f.table());
        g.writeStringField("column", f.column());
        if (f.path() != null) {
            g.writeStringField("path", f.path());
        }
        g.writeStringField("rule", f.rule());
        g.writeStringField("category", f.category());
        g.writeStringField("severity", f.severity().label());
        g.writeStringField("description", f.description());
        g.writeStringField("sample", f.sample());
        g.writeObjectFieldStart("key");
        for (Map.Entry<String, String> e : f.key().entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeStringField("op", f.op());
        g.writeStringField("commit_lsn", f.commitLsn().toString());
        if (f.commitTime() != null) {
            g.writeStringField("commit_time", f.commitTime().toString());
        }
        g.writeStringField("fingerprint", f.fingerprint());
        g.writeEndObject();
    }
}
