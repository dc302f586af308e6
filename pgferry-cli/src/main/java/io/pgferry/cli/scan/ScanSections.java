package io.pgferry.cli.scan;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.cli.config.ConfigFile;
import io.pgferry.cli.config.DurationConverter;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.Secrets;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sections of {@code pgferry scan}'s configuration file that are not option values: {@code databases} (several
 * sources, each with its own slot and scope) and {@code channels} (named channels with URLs, headers, tokens). Read
 * and checked whole at start; secrets may be {@code env:NAME} or {@code file:PATH}.
 *
 * <pre>
 * databases:
 *   - source: env:SHOP_DSN
 *     tables: [public.customers, public.orders]
 *     snapshot: true
 *     exclude_columns: [password_hash]
 * channels:
 *   - type: webhook
 *     name: security
 *     url: https://hooks.example.com/pgferry
 *     headers: {Authorization: env:HOOK_TOKEN}
 * </pre>
 */
public record ScanSections(List<DatabaseSpec> databases, List<ChannelSpec> channels) {
    public static final List<String> KEYS = List.of("databases", "channels");
    private static final Set<String> DATABASE_FIELDS = Set.of(
            "source", "publication", "slot", "tables", "snapshot", "exclude_tables", "exclude_columns", "checkpoint");
    private static final Set<String> CHANNEL_FIELDS =
            Set.of("type", "name", "path", "url", "headers", "token", "channel", "timeout", "dsn", "table");

    /** One database of the file. */
    record DatabaseSpec(
            Dsn source,
            String publication,
            String slot,
            List<TableName> tables,
            boolean snapshot,
            List<String> excludeTables,
            List<String> excludeColumns,
            Path checkpoint) {}

    static ScanSections none() {
        return new ScanSections(List.of(), List.of());
    }

    /**
     * @param defaultPublication the publication a database gets when it names none
     * @param defaultSlot the slot a database gets when it names none; null for the per-database default
     */
    public static ScanSections read(Path file, Map<String, String> env, String defaultPublication, String defaultSlot) {
        JsonNode root = ConfigFile.parse(file);
        if (root == null || !root.isObject()) {
            return none();
        }
        List<DatabaseSpec> dbs = new ArrayList<>();
        JsonNode list = inScan(root, "databases");
        if (list != null) {
            requireList(list, file, "databases");
            int i = 0;
            for (JsonNode n : list) {
                i++;
                dbs.add(database(n, file, "databases #" + i, env, defaultPublication, defaultSlot));
            }
        }
        List<ChannelSpec> channels = new ArrayList<>();
        JsonNode ch = inScan(root, "channels");
        if (ch != null) {
            requireList(ch, file, "channels");
            int i = 0;
            for (JsonNode n : ch) {
                i++;
                channels.add(channel(n, file, "channels #" + i, env));
            }
        }
        return new ScanSections(dbs, channels);
    }

    /** {@code key} of the file's {@code scan:} section, else of its top level (see {@link ConfigFile}). */
    private static JsonNode inScan(JsonNode root, String key) {
        JsonNode scan = root.get("scan");
        return scan != null && scan.isObject() && scan.has(key) ? scan.get(key) : root.get(key);
    }

    private static DatabaseSpec database(
            JsonNode n, Path file, String where, Map<String, String> env, String publication, String slot) {
        requireMapping(n, file, where, DATABASE_FIELDS);
        String src = text(n, "source", file, where);
        if (src == null) {
            throw PgFerryException.fatal(
                    file + ": " + where + " has no source", "give source: postgresql://... (or env:NAME)");
        }
        Dsn dsn = Dsn.parse(Secrets.resolve(src, env, file + ": the source of " + where));
        String tables = n.has("tables")
                ? strings(n, "tables", file, where).stream()
                        .reduce((a, b) -> a + "," + b)
                        .orElse(null)
                : null;
        String checkpoint = text(n, "checkpoint", file, where);
        return new DatabaseSpec(
                dsn,
                orElse(text(n, "publication", file, where), publication),
                orElse(text(n, "slot", file, where), slot),
                tables == null ? List.of() : TableName.parseList(tables),
                n.path("snapshot").asBoolean(false),
                strings(n, "exclude_tables", file, where),
                strings(n, "exclude_columns", file, where),
                checkpoint == null ? null : Path.of(checkpoint));
    }

    private static ChannelSpec channel(JsonNode n, Path file, String where, Map<String, String> env) {
        requireMapping(n, file, where, CHANNEL_FIELDS);
        String type = text(n, "type", file, where);
        if (type == null
                || !List.of("stdout", "log", "jsonl", "webhook", "slack").contains(type)) {
            throw PgFerryException.fatal(
                    file + ": " + where + " has type " + (type == null ? "(none)" : "'" + type + "'"),
                    "give type: stdout, log, jsonl, webhook, slack or postgres");
        }
        String name = orElse(text(n, "name", file, where), type);
        String at = "channel " + name;
        Duration timeout = ChannelSpec.DEFAULT_TIMEOUT;
        if (n.has("timeout")) {
            timeout = new DurationConverter().convert(n.get("timeout").asText());
        }
        return switch (type) {
            case "stdout", "log" -> ChannelSpec.local(type, name, null);
            case "jsonl" -> {
                String path = text(n, "path", file, where);
                if (path == null) {
                    throw PgFerryException.fatal(file + ": " + at + " has no path", "give path: /path/findings.jsonl");
                }
                yield ChannelSpec.local(type, name, Path.of(path));
            }
            case "postgres" -> {
                String dsn = required(n, "dsn", file, at);
                String table = text(n, "table", file, where);
                yield new ChannelSpec(
                        type,
                        name,
                        null,
                        null,
                        Map.of(),
                        null,
                        null,
                        timeout,
                        Dsn.parse(Secrets.resolve(dsn, env, "the dsn of " + at)),
                        table == null ? ChannelSpec.DEFAULT_TABLE : TableName.parse(table));
            }
            case "webhook" -> {
                String url = required(n, "url", file, at);
                Map<String, String> headers = new LinkedHashMap<>();
                JsonNode h = n.get("headers");
                if (h != null) {
                    requireMapping(h, file, at + " headers", null);
                    for (Map.Entry<String, JsonNode> e : h.properties()) {
                        headers.put(
                                e.getKey(),
                                Secrets.resolve(e.getValue().asText(), env, "the header " + e.getKey() + " of " + at));
                    }
                }
                yield new ChannelSpec(
                        type,
                        name,
                        null,
                        ChannelSpec.uri(Secrets.resolve(url, env, "the URL of " + at), name),
                        headers,
                        null,
                        null,
                        timeout,
                        null,
                        null);
            }
            default -> {
                String token = text(n, "token", file, where);
                String slackChannel = text(n, "channel", file, where);
                String url = text(n, "url", file, where);
                if ((token == null) != (slackChannel == null) || (token == null && url == null)) {
                    throw PgFerryException.fatal(
                            file + ": " + at + " needs url (an incoming webhook), or token and channel",
                            "give url: env:SLACK_WEBHOOK_URL, or token: env:SLACK_TOKEN and channel: '#alerts'");
                }
                yield new ChannelSpec(
                        type,
                        name,
                        null,
                        url == null
                                ? ChannelSpec.SLACK_API
                                : ChannelSpec.uri(Secrets.resolve(url, env, "the URL of " + at), name),
                        Map.of(),
                        token == null ? null : Secrets.resolve(token, env, "the token of " + at),
                        slackChannel,
                        timeout,
                        null,
                        null);
            }
        };
    }

    private static String required(JsonNode n, String field, Path file, String at) {
        String v = text(n, field, file, at);
        if (v == null) {
            throw PgFerryException.fatal(file + ": " + at + " has no " + field, "give " + field + ": ...");
        }
        return v;
    }

    private static String orElse(String v, String otherwise) {
        return v == null ? otherwise : v;
    }

    private static void requireList(JsonNode n, Path file, String key) {
        if (!n.isArray()) {
            throw PgFerryException.fatal(
                    file + ": " + key + " is not a list", "write it as a list of mappings (- ...)");
        }
    }

    private static void requireMapping(JsonNode n, Path file, String where, Set<String> known) {
        if (!n.isObject()) {
            throw PgFerryException.fatal(file + ": " + where + " is not a mapping", "write key: value lines");
        }
        if (known == null) {
            return;
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw PgFerryException.fatal(
                        file + ": " + where + " has unknown key '" + f + "'",
                        "use " + known.stream().sorted().toList());
            }
        }
    }

    private static String text(JsonNode n, String field, Path file, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw PgFerryException.fatal(file + ": " + where + " key " + field + " is not a value", "give one value");
        }
        return v.asText();
    }

    private static List<String> strings(JsonNode n, String field, Path file, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(e -> out.add(e.asText()));
        } else if (v.isValueNode()) {
            out.addAll(List.of(v.asText().split(",")));
        } else {
            throw PgFerryException.fatal(file + ": " + where + " key " + field + " is not a list", "give a list");
        }
        return out;
    }
}
