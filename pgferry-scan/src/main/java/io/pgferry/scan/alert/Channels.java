package io.pgferry.scan.alert;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Makes the channels that send to a remote peer through an outbox in the state directory. */
public final class Channels {
    private static final Duration DRAIN_ON_CLOSE = Duration.ofSeconds(5);

    private Channels() {}

    /**
     * A webhook channel.
     *
     * @param name the channel's name (rules route by it; the outbox is {@code outboxRoot/name})
     * @param headers sent with every request (an Authorization token, say); never logged
     */
    public static OutboxChannel webhook(
            String name, URI url, Map<String, String> headers, Duration timeout, Path outboxRoot) {
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
            throw PgFerryException.fatal(
                    "the webhook URL of channel " + name + " is not http or https", "give an https:// URL");
        }
        return new OutboxChannel(
                name, outbox(outboxRoot, name), new WebhookSender(url, headers, timeout), DRAIN_ON_CLOSE);
    }

    /**
     * A Slack channel: to an incoming webhook URL ({@code token} null), or with a bot token to {@code
     * chat.postMessage} at {@code url} in {@code slackChannel}.
     */
    public static OutboxChannel slack(
            String name, URI url, String token, String slackChannel, Duration timeout, Path outboxRoot) {
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
            throw PgFerryException.fatal(
                    "the Slack URL of channel " + name + " is not http or https",
                    "give the incoming webhook's https:// URL");
        }
        if ((token == null) != (slackChannel == null)) {
            throw PgFerryException.fatal(
                    "channel " + name + " gives a Slack token without a channel or a channel without a token",
                    "give both (chat.postMessage) or neither (an incoming webhook URL)");
        }
        return new OutboxChannel(
                name, outbox(outboxRoot, name), new SlackSender(url, token, slackChannel, timeout), DRAIN_ON_CLOSE);
    }

    /**
     * A PostgreSQL table channel: findings inserted into {@code schema.table} of {@code dsn} (created when missing).
     * The caller checks that the scan does not read that table.
     */
    public static OutboxChannel postgres(String name, Dsn dsn, String schema, String table, Path outboxRoot) {
        return new OutboxChannel(name, outbox(outboxRoot, name), new PgTableSender(dsn, schema, table), DRAIN_ON_CLOSE);
    }

    private static Outbox outbox(Path root, String name) {
        try {
            return new Outbox(root.resolve(name));
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "cannot open the outbox of channel " + name + " in " + root + ": " + e.getMessage(),
                    "check that the state directory is writable",
                    e);
        }
    }
}
