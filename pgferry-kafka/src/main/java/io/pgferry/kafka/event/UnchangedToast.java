package io.pgferry.kafka.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.core.event.Row;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The record header that names the columns of an update's {@code after} that the server did not send (unchanged
 * TOAST values). Debezium's placeholder marks such a value only where the column's type can hold a string; an array
 * of numbers, booleans or timestamps can hold none, so its value is written as null, which a consumer cannot tell
 * from a real NULL. The header, {@value #HEADER}, lists every such column so that a consumer (pgferry's JDBC sink)
 * leaves them alone. Its value is {@value #PREFIX} followed by a JSON array of the column names, UTF-8: the prefix keeps
 * Kafka Connect's default header converter from parsing the array into a list of its own.
 */
public final class UnchangedToast {
    /** The header's name. */
    public static final String HEADER = "pgferry.unchanged.toast";

    static final String PREFIX = "columns:";

    private static final ObjectMapper JSON = new ObjectMapper();

    private UnchangedToast() {}

    /** The names of the columns of {@code row} the server did not send; empty for none or a null row. */
    public static List<String> columns(Row row) {
        List<String> out = new ArrayList<>();
        if (row == null) {
            return out;
        }
        for (int i = 0; i < row.size(); i++) {
            if (row.isUnchangedToast(i)) {
                out.add(row.column(i).name());
            }
        }
        return out;
    }

    /** The header's value for {@code columns}, as a string. */
    public static String value(List<String> columns) {
        try {
            return PREFIX + JSON.writeValueAsString(columns);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings is always JSON", e);
        }
    }

    /** The header's value for {@code columns}, as bytes. */
    static byte[] bytes(List<String> columns) {
        return value(columns).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The column names of a header value as a consumer gets it: a string, or its UTF-8 bytes. Throws {@link
     * IllegalArgumentException} for anything else, naming what it is (never the value).
     */
    public static Set<String> parse(Object headerValue) {
        String text;
        if (headerValue instanceof String s) {
            text = s;
        } else if (headerValue instanceof byte[] b) {
            text = new String(b, StandardCharsets.UTF_8);
        } else {
            throw new IllegalArgumentException("header " + HEADER + " is a "
                    + (headerValue == null ? "null" : headerValue.getClass().getSimpleName())
                    + ", not the string pgferry writes");
        }
        if (!text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("header " + HEADER + " does not start with " + PREFIX);
        }
        try {
            JsonNode names = JSON.readTree(text.substring(PREFIX.length()));
            if (names == null || !names.isArray()) {
                throw new IllegalArgumentException("header " + HEADER + " holds no JSON array");
            }
            Set<String> out = new LinkedHashSet<>();
            names.forEach(n -> out.add(n.asText()));
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("header " + HEADER + " holds no JSON array", e);
        }
    }
}
