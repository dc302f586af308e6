package io.pgferry.scan.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Posts findings to Slack, up to 8 to a message (one line each, masked), either to an incoming webhook URL or with a
 * bot token to {@code chat.postMessage} of a channel. A 429 waits what Retry-After says; Slack's own
 * {@code "ok": false} answers are failures and retried. The webhook URL and the token are secrets: never logged.
 */
final class SlackSender implements Sender {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = new JsonFactory();

    private final URI url;
    private final String token;
    private final String channel;
    private final Duration timeout;
    private final HttpClient client;

    /**
     * @param url an incoming webhook URL, or the {@code chat.postMessage} endpoint when {@code token} is given
     * @param token a bot token ({@code xoxb-…}), or null for a webhook
     * @param channel the channel to post to with a token; null for a webhook
     */
    SlackSender(URI url, String token, String channel, Duration timeout) {
        this.url = url;
        this.token = token;
        this.channel = channel;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public int maxBatch() {
        return 8;
    }

    @Override
    public Duration batchWindow() {
        return Duration.ofSeconds(2);
    }

    @Override
    public void send(List<String> findings) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(message(findings)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while posting to Slack");
        }
        int status = response.statusCode();
        if (status == 429) {
            throw new RetryLater(
                    "Slack is rate limiting (HTTP 429)",
                    WebhookSender.retryAfter(response.headers().firstValue("Retry-After"))
                            .orElse(Duration.ofSeconds(30)));
        }
        if (status / 100 != 2) {
            throw new IOException("Slack answered HTTP " + status);
        }
        if (token != null) {
            JsonNode answer = JSON.readTree(response.body());
            if (!answer.path("ok").asBoolean(false)) {
                // Slack's error codes (channel_not_found, invalid_auth, ratelimited) hold no secret.
                throw new IOException(
                        "Slack refused the message: " + answer.path("error").asText("unknown error"));
            }
        }
    }

    /** The message: a header line and one line per finding, from the findings' JSON (masked already). */
    private String message(List<String> findings) throws IOException {
        StringBuilder text = new StringBuilder(findings.size() * 120);
        text.append(String.format(
                Locale.ROOT,
                ":rotating_light: %d sensitive-data finding%s%n",
                findings.size(),
                findings.size() == 1 ? "" : "s"));
        for (String f : findings) {
            JsonNode n = JSON.readTree(f);
            text.append("• *")
                    .append(n.path("severity").asText().toUpperCase(Locale.ROOT))
                    .append("* `")
                    .append(n.path("rule").asText())
                    .append("` in ")
                    .append(n.path("database").asText())
                    .append(' ')
                    .append(n.path("schema").asText())
                    .append('.')
                    .append(n.path("table").asText())
                    .append('.')
                    .append(n.path("column").asText());
            if (n.has("path")) {
                text.append(' ').append(n.path("path").asText());
            }
            text.append(" key ")
                    .append(n.path("key").toString())
                    .append(": `")
                    .append(n.path("sample").asText());
            text.append("`\n");
        }
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            if (channel != null) {
                g.writeStringField("channel", channel);
            }
            g.writeStringField("text", text.toString());
            g.writeEndObject();
        }
        return w.toString();
    }

    @Override
    public String describe(IOException failure) {
        String m = failure.getMessage();
        return m != null && (m.startsWith("Slack"))
                ? m
                : "cannot reach Slack (" + failure.getClass().getSimpleName() + ")";
    }
}
