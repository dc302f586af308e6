package io.pgferry.cli.verify;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.verify.inspect.RowDiff;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** How inspect and diff print a differing row: one text line, or the JSON of its key and each side's values. */
final class RowDiffOutput {
    private RowDiffOutput() {}

    /**
     * {@code "  changed (k=v): columns"}, or a row on one side only, named by the labels of the caller's sides.
     *
     * @param onlyPublisher the line for a row missing on the subscriber (or target)
     * @param onlySubscriber the line for a row missing on the publisher (or source)
     */
    static void printText(PrintWriter out, RowDiff d, String onlyPublisher, String onlySubscriber) {
        String key = d.key().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
        switch (d.kind()) {
            case CHANGED -> out.printf(Locale.ROOT, "  changed (%s): %s%n", key, String.join(", ", d.columns()));
            case MISSING_ON_SUBSCRIBER -> out.printf(Locale.ROOT, "  %s (%s)%n", onlyPublisher, key);
            case MISSING_ON_PUBLISHER -> out.printf(Locale.ROOT, "  %s (%s)%n", onlySubscriber, key);
        }
    }

    /** {@code name: {column: text, ...}}, or {@code name: null}. */
    static void writeRow(JsonGenerator g, String name, Map<String, String> row) throws IOException {
        if (row == null) {
            g.writeNullField(name);
            return;
        }
        g.writeObjectFieldStart(name);
        for (var e : row.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
