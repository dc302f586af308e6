package io.pgferry.kafka.event;

import io.pgferry.core.PgFerryException;
import java.util.Map;

/**
 * The topic names of a sync, all under its prefix: {@code <prefix>.<schema>.<table>} for each table, {@code
 * <prefix>.message} for logical messages, {@code <prefix>.transaction} for transaction metadata and {@code
 * <prefix>.pgferry_offsets} for the applied positions. A schema map replaces a schema's name by another segment. Table topics have two parts after the prefix and the others
 * one, so a table never shares a topic with them.
 *
 * <p>As Debezium does, every character a topic name cannot hold (anything but ASCII letters, digits, {@code .},
 * {@code _} and {@code -}) becomes {@code _}; tables whose names differ only there share a topic.
 */
public record Topics(String prefix, Map<String, String> schemaMap) {
    /** Kafka's limit on a topic name's length. */
    static final int MAX_LENGTH = 249;

    public Topics(String prefix) {
        this(prefix, Map.of());
    }

    public Topics {
        if (prefix.isEmpty() || !sanitize(prefix).equals(prefix) || prefix.length() > MAX_LENGTH - 20) {
            throw PgFerryException.fatal(
                    "the Kafka topic prefix '" + prefix + "' is not a valid topic name prefix",
                    "use 1 to " + (MAX_LENGTH - 20) + " ASCII letters, digits, '.', '_' or '-' in topic.prefix");
        }
    }

    /** The topic of a table's row changes. */
    public String table(String schema, String table) {
        String name = prefix + "." + sanitize(schemaMap.getOrDefault(schema, schema)) + "." + sanitize(table);
        if (name.length() > MAX_LENGTH) {
            throw PgFerryException.fatal(
                    "the Kafka topic name of table " + schema + "." + table + " would be longer than " + MAX_LENGTH
                            + " characters",
                    "use a shorter topic.prefix, or leave the table out of the publication");
        }
        return name;
    }

    public String message() {
        return prefix + ".message";
    }

    public String transaction() {
        return prefix + ".transaction";
    }

    public String offsets() {
        return prefix + ".pgferry_offsets";
    }

    static String sanitize(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean valid = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '.'
                    || c == '_'
                    || c == '-';
            out.append(valid ? c : '_');
        }
        return out.toString();
    }
}
