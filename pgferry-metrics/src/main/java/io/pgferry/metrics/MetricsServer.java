package io.pgferry.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pgferry.core.PgFerryException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP endpoints of a long-running command: {@code /metrics} (Prometheus text format), {@code /health} (the
 * process answers), {@code /ready} (200 while the command does its work, 503 with a one-line reason otherwise) and
 * {@code /status} (the command's state as JSON, the same document as {@code pgferry status --json} where there is
 * one). One daemon thread serves them; a scrape never touches the command's own threads.
 */
@SuppressForbidden(reason = "jdk.httpserver is a supported, exported JDK module")
public final class MetricsServer implements AutoCloseable {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Serves the endpoints on {@code address}, {@code status} answering {@code /status}.
     *
     * @param status the JSON document of {@code /status}; what it throws is answered 503 with its message, which
     *     must therefore hold no secret
     * @param beforeScrape runs before each scrape, on the server's thread: registers meters that appear while the
     *     command runs (a table whose copy started)
     * @throws PgFerryException (fatal) when the address cannot be bound, naming it
     */
    public static MetricsServer start(
            InetSocketAddress address,
            PrometheusMeterRegistry registry,
            Readiness ready,
            Supplier<String> status,
            Runnable beforeScrape) {
        HttpServer s;
        try {
            s = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "cannot listen on " + address.getHostString() + ":" + address.getPort() + " for metrics: "
                            + e.getMessage(),
                    "give --http a free port, or an address of this machine",
                    e);
        }
        s.createContext("/metrics", x -> {
            beforeScrape.run();
            answer(x, 200, PROMETHEUS_TEXT, registry.scrape());
        });
        s.createContext("/status", x -> {
            String body;
            try {
                body = status.get();
            } catch (RuntimeException e) {
                answer(x, 503, "text/plain; charset=utf-8", "status unavailable: " + e.getMessage() + "\n");
                return;
            }
            answer(x, 200, "application/json", body + "\n");
        });
        s.createContext("/health", x -> answer(x, 200, "text/plain; charset=utf-8", "ok\n"));
        s.createContext("/ready", x -> {
            Optional<String> why = ready.notReadyBecause();
            answer(x, why.isPresent() ? 503 : 200, "text/plain; charset=utf-8", why.orElse("ready") + "\n");
        });
        s.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pgferry-http");
            t.setDaemon(true);
            return t;
        }));
        s.start();
        return new MetricsServer(s);
    }

    /** The port it listens on (the one asked for, or the one the system chose for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        if ("HEAD".equals(x.getRequestMethod())) {
            x.sendResponseHeaders(status, -1);
        } else {
            x.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(bytes);
            }
        }
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
