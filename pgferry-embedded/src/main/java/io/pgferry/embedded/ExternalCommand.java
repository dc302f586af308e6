package io.pgferry.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a short-lived helper program (initdb, openssl, kill, id) to completion with a deadline. */
final class ExternalCommand {
    private ExternalCommand() {}

    /**
     * Runs {@code command} and returns its combined stdout and stderr; a non-zero exit or a missed deadline is an
     * {@link EmbeddedPostgresException} whose message carries the tail of that output.
     */
    static String run(List<String> command, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        scrubEnvironment(builder.environment());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        // Drained on another thread so that a chatty child never blocks on a full pipe while we wait for its exit.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new EmbeddedPostgresException(
                        command.get(0) + " did not finish within " + timeout.toSeconds() + " s");
            }
            String text = output.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (process.exitValue() != 0) {
                throw new EmbeddedPostgresException(command.get(0) + " failed with exit code " + process.exitValue()
                        + ": " + LogTail.oneLine(text, 5));
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new EmbeddedPostgresException("interrupted while running " + command.get(0), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new EmbeddedPostgresException("cannot read the output of " + command.get(0), e);
        }
    }

    /**
     * Removes variables that would change how PostgreSQL programs behave (PGDATA, PGPORT, PGOPTIONS, ...) and pins
     * the message locale, so that the server log can be matched against English messages.
     */
    static void scrubEnvironment(Map<String, String> environment) {
        environment.keySet().removeIf(name -> name.startsWith("PG") || name.startsWith("LC_"));
        environment.put("LC_ALL", "C");
        environment.put("LANG", "C");
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
