package io.pgferry.scan.alert;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Posts findings to a webhook as {@code {"findings": [...]}} (up to 100 per request). Any 2xx is success; anything
 * else, or no answer within the timeout, is retried; a 429 or 503 with Retry-After waits that long. Header values
 * (tokens) are secrets: they are sent, never logged.
 */
final class WebhookSender implements Sender {
    private final URI url;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final HttpClient client;

    WebhookSender(URI url, Map<String, String> headers, Duration timeout) {
        this.url = url;
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public int maxBatch() {
        return 100;
    }

    @Override
    public void send(List<String> findings) throws IOException {
        String body = "{\"findings\":[" + String.join(",", findings) + "]}";
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        HttpResponse<Void> response;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while posting findings");
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return;
        }
        Optional<Duration> retryAfter = retryAfter(response.headers().firstValue("Retry-After"));
        if (retryAfter.isPresent()) {
            throw new RetryLater("the webhook answered HTTP " + status + " with Retry-After", retryAfter.get());
        }
        throw new IOException("the webhook answered HTTP " + status);
    }

    /** Retry-After in seconds (the HTTP-date form is rare for webhooks and read as a minute). */
    static Optional<Duration> retryAfter(Optional<String> header) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        try {
            long s = Long.parseLong(header.get().trim());
            return Optional.of(Duration.ofSeconds(Math.max(0, Math.min(s, 3_600))));
        } catch (NumberFormatException e) {
            return Optional.of(Duration.ofMinutes(1));
        }
    }

    @Override
    public String describe(IOException failure) {
        // The exception of a refused connection names the host and port at most, never the path or query.
        String m = failure.getMessage();
        return failure instanceof java.net.ConnectException || m == null
                ? "cannot reach the webhook (" + failure.getClass().getSimpleName() + ")"
                : m.startsWith("the webhook")
                        ? m
                        : "cannot post to the webhook (" + failure.getClass().getSimpleName() + ")";
    }
}
