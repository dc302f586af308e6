package io.pgferry.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes the configuration of a freshly initialised cluster.
 *
 * <p>Settings are appended to postgresql.conf rather than passed as {@code -c} options, because command-line options
 * override ALTER SYSTEM: a test can still change a setting with ALTER SYSTEM and pg_reload_conf(). Of repeated entries
 * the last one wins (PostgreSQL docs, "Parameter Interaction via the Configuration File").
 */
final class ClusterConfig {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    private ClusterConfig() {}

    /** The defaults every embedded server starts with; builder settings are put on top. */
    static Map<String, String> defaults(boolean fsync) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("wal_level", "logical");
        settings.put("max_replication_slots", "32");
        settings.put("max_wal_senders", "32");
        settings.put("max_prepared_transactions", "16");
        settings.put("max_connections", "100");
        settings.put("shared_buffers", "128MB");
        // The server's stderr is redirected to data/postgres.log by the JVM.
        settings.put("logging_collector", "off");
        String durable = fsync ? "on" : "off";
        settings.put("fsync", durable);
        settings.put("synchronous_commit", durable);
        settings.put("full_page_writes", durable);
        return settings;
    }

    static void validateName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a PostgreSQL setting name: " + name);
        }
    }

    /**
     * Quotes a value for postgresql.conf: single quotes around it, quotes doubled and backslashes escaped (PostgreSQL
     * docs, "Parameter Names and Values": enclose strings in single quotes, doubling any single quotes within).
     */
    static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    static void write(Path dataDirectory, Map<String, String> settings) throws IOException {
        StringBuilder conf = new StringBuilder("\n# Added by pgferry-embedded\n");
        settings.forEach((name, value) ->
                conf.append(name).append(" = ").append(quote(value)).append('\n'));
        Files.writeString(
                dataDirectory.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        // Local socket connections are trusted (the socket directory is private to the server's user); TCP needs
        // the password. "host" lines match both plain and TLS connections (PostgreSQL docs, "The pg_hba.conf File").
        String hba = String.join(
                "\n",
                "# TYPE  DATABASE     USER  ADDRESS        METHOD",
                "local   all          all                  trust",
                "local   replication  all                  trust",
                "host    all          all   127.0.0.1/32   scram-sha-256",
                "host    replication  all   127.0.0.1/32   scram-sha-256",
                "host    all          all   ::1/128        scram-sha-256",
                "host    replication  all   ::1/128        scram-sha-256",
                "");
        Files.writeString(
                dataDirectory.resolve("pg_hba.conf"),
                hba,
                StandardCharsets.UTF_8,
                StandardOpenOption.TRUNCATE_EXISTING);
    }
}
