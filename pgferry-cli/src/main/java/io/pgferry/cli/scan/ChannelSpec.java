package io.pgferry.cli.scan;

import io.pgferry.core.PgFerryException;
import io.pgferry.core.Secrets;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.scan.alert.Channel;
import io.pgferry.scan.alert.Channels;
import io.pgferry.scan.alert.JsonLinesChannel;
import io.pgferry.scan.alert.LogChannel;
import io.pgferry.scan.alert.StdoutChannel;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One channel of {@code pgferry scan}, from a {@code --channel} flag ({@code stdout}, {@code log},
 * {@code jsonl:FILE}, {@code webhook:URL}, {@code slack:URL}) or a {@code channels:} entry of the configuration file,
 * checked before anything is opened. Secrets (URLs, header values, tokens) are already resolved.
 *
 * @param type stdout, log, jsonl, webhook or slack
 * @param name the name rules route by (the type, unless the file names it)
 * @param path a jsonl channel's file
 * @param url a webhook's or Slack's URL
 * @param headers a webhook's headers
 * @param token a Slack bot token (with {@code slackChannel}), or null for an incoming webhook URL
 * @param dsn a postgres channel's database
 * @param table a postgres channel's table ({@link #DEFAULT_TABLE} unless given)
 */
record ChannelSpec(
        String type,
        String name,
        Path path,
        URI url,
        Map<String, String> headers,
        String token,
        String slackChannel,
        Duration timeout,
        Dsn dsn,
        TableName table) {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    static final URI SLACK_API = URI.create("https://slack.com/api/chat.postMessage");
    static final TableName DEFAULT_TABLE = new TableName("pgferry", "findings");

    /** A channel with none of the remote settings. */
    static ChannelSpec local(String type, String name, Path path) {
        return new ChannelSpec(type, name, path, null, Map.of(), null, null, DEFAULT_TIMEOUT, null, null);
    }

    /** A {@code --channel} flag's value. */
    static ChannelSpec parse(String spec, Map<String, String> webhookHeaders, Map<String, String> env) {
        if (spec.equals("stdout") || spec.equals("log")) {
            return local(spec, spec, null);
        }
        int colon = spec.indexOf(':');
        String type = colon < 0 ? spec : spec.substring(0, colon);
        String rest = colon < 0 ? "" : spec.substring(colon + 1);
        if (rest.isEmpty() || !List.of("jsonl", "webhook", "slack", "postgres").contains(type)) {
            throw PgFerryException.fatal(
                    "unknown channel '" + spec + "'",
                    "give --channel stdout, log, jsonl:FILE, webhook:URL, slack:URL or postgres:DSN (URLs and DSNs"
                            + " may be env:NAME or file:PATH)");
        }
        return switch (type) {
            case "jsonl" -> local(type, type, Path.of(rest));
            case "postgres" -> new ChannelSpec(
                    type,
                    type,
                    null,
                    null,
                    Map.of(),
                    null,
                    null,
                    DEFAULT_TIMEOUT,
                    Dsn.parse(Secrets.resolve(rest, env, "the findings database")),
                    DEFAULT_TABLE);
            case "webhook" -> new ChannelSpec(
                    type,
                    type,
                    null,
                    uri(Secrets.resolve(rest, env, "the webhook URL"), "webhook"),
                    webhookHeaders,
                    null,
                    null,
                    DEFAULT_TIMEOUT,
                    null,
                    null);
            default -> new ChannelSpec(
                    type,
                    type,
                    null,
                    uri(Secrets.resolve(rest, env, "the Slack webhook URL"), "slack"),
                    Map.of(),
                    null,
                    null,
                    DEFAULT_TIMEOUT,
                    null,
                    null);
        };
    }

    static URI uri(String text, String channel) {
        try {
            URI u = new URI(text);
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
                throw new URISyntaxException("(hidden)", "not http or https");
            }
            return u;
        } catch (URISyntaxException e) {
            // The URL itself is not echoed: a webhook URL is often its own secret.
            throw PgFerryException.fatal(
                    "the URL of channel " + channel + " is not an http(s) URL", "give https://host/path");
        }
    }

    /** Refuses two channels of one name: rules route by name. */
    static void checkNames(List<ChannelSpec> specs) {
        Set<String> names = new HashSet<>();
        for (ChannelSpec s : specs) {
            if (!names.add(s.name())) {
                throw PgFerryException.fatal(
                        "two channels are named " + s.name(), "give each channel its own name (name: in the file)");
            }
        }
        if (specs.isEmpty()) {
            throw PgFerryException.fatal("no channel for findings", "give --channel stdout or a channels: section");
        }
    }

    /** Opens the channels; on a failure closes those already open. */
    static List<Channel> open(List<ChannelSpec> specs, Path outboxRoot) {
        List<Channel> out = new ArrayList<>();
        try {
            for (ChannelSpec s : specs) {
                out.add(
                        switch (s.type) {
                            case "stdout" -> new StdoutChannel(new FileOutputStream(FileDescriptor.out));
                            case "log" -> new LogChannel();
                            case "jsonl" -> new JsonLinesChannel(s.path);
                            case "webhook" -> Channels.webhook(s.name, s.url, s.headers, s.timeout, outboxRoot);
                            case "slack" -> Channels.slack(
                                    s.name, s.url, s.token, s.slackChannel, s.timeout, outboxRoot);
                            default -> Channels.postgres(s.name, s.dsn, s.table.schema(), s.table.name(), outboxRoot);
                        });
            }
            return out;
        } catch (IOException | RuntimeException e) {
            for (Channel c : out) {
                try {
                    c.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof PgFerryException p) {
                throw p;
            }
            throw PgFerryException.fatal(
                    "cannot open a findings channel: " + e.getMessage(), "check the path and permissions", e);
        }
    }
}
