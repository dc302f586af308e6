package io.pgferry.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the {@code --http} endpoints of a pgferry process on 127.0.0.1, for the tests. */
public final class Endpoints {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Endpoints() {}

    public static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The metrics text, or empty while nothing listens yet. */
    public static String scrape(int port) {
        try {
            return get(port, "/metrics").body();
        } catch (Exception e) {
            return "";
        }
    }

    /** The status of {@code path}, or -1 while nothing listens. */
    public static int status(int port, String path) {
        try {
            return get(port, path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The value of {@code name} with label slot={@code slot} in Prometheus text, or -1 when absent. */
    public static double metric(String text, String name, String slot) {
        return metric(text, name, "slot", slot);
    }

    /** The value of {@code name} whose first label is {@code label="value"}, or -1 when absent. */
    public static double metric(String text, String name, String label, String value) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{" + label + "=\"" + Pattern.quote(value) + "\"[^}]*} (\\S+)$")
                .matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
