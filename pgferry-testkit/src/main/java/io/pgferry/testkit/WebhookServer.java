package io.pgferry.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on a loopback port for tests of webhook-like channels: records every request (path, headers,
 * body) and answers with the status the test sets ({@link #answer}), optionally with Retry-After. The port can be
 * chosen before the server starts ({@link #freePort}), so a test can make a channel send to a peer that is down, then
 * bring it up.
 */
@SuppressForbidden(reason = "com.sun.net.httpserver is the JDK's supported, exported jdk.httpserver module")
public final class WebhookServer implements AutoCloseable {
    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final AtomicInteger status = new AtomicInteger(204);
    private volatile String retryAfter;

    /** One request as the server received it, and the status it was answered with. */
    public record Request(String path, Map<String, List<String>> headers, String body, int status) {
        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .findFirst()
                    .map(e -> e.getValue().get(0))
                    .orElse(null);
        }
    }

    private WebhookServer(HttpServer server) {
        this.server = server;
    }

    /** Starts a server on {@code port} of 127.0.0.1. */
    public static WebhookServer start(int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        WebhookServer w = new WebhookServer(s);
        s.createContext("/", w::handle);
        s.start();
        return w;
    }

    /** A port nothing listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The status later requests get, and the Retry-After value (seconds) sent with it, or null for none. */
    public synchronized void answer(int httpStatus, String retryAfterSeconds) {
        status.set(httpStatus);
        retryAfter = retryAfterSeconds;
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int s;
        String ra;
        synchronized (this) {
            s = status.get();
            ra = retryAfter;
            requests.add(
                    new Request(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), body, s));
        }
        if (ra != null) {
            exchange.getResponseHeaders().add("Retry-After", ra);
        }
        if (s == 200) {
            byte[] ok = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
        } else {
            exchange.sendResponseHeaders(s, -1);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
