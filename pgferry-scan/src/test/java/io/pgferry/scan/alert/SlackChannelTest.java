package io.pgferry.scan.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgferry.core.Lsn;
import io.pgferry.scan.Finding;
import io.pgferry.scan.rules.Severity;
import io.pgferry.testkit.WebhookServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slack through a real HTTP server standing in for its API: findings are batched (at most 8 a message), a 429's
 * Retry-After is waited out, nothing is lost, and the token goes in the Authorization header only.
 */
class SlackChannelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static Finding finding(int id) {
        return new Finding(
                "db:5432/shop",
                "public",
                "t",
                "note",
                null,
                "email",
                "PII",
                Severity.HIGH,
                "E-mail",
                "ja****************rg",
                Map.of("id", String.valueOf(id)),
                "insert",
                Lsn.parse("0/16B3748"),
                Instant.parse("2026-11-22T22:00:00Z"),
                "00112233445566778899aabbccddeeff",
                List.of());
    }

    @Test
    void batchesHonoursRetryAfterAndDeliversEverything() throws Exception {
        try (WebhookServer slack = WebhookServer.start(0)) {
            slack.answer(429, "1");
            OutboxChannel channel = Channels.slack(
                    "slack",
                    URI.create("http://127.0.0.1:" + slack.port() + "/api/chat.postMessage"),
                    "xoxb-test-token",
                    "#alerts",
                    Duration.ofSeconds(5),
                    dir);
            List<Finding> findings = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                findings.add(finding(i));
            }
            channel.deliver(findings);
            channel.flush();
            await(() -> !slack.requests().isEmpty());
            slack.answer(200, null);
            await(channel::isDrained);
            channel.close();

            List<WebhookServer.Request> posts = slack.requests();
            assertThat(posts.get(0).status()).isEqualTo(429);
            assertThat(posts.get(0).body()).contains("\"channel\":\"#alerts\"");
            int lines = 0;
            for (WebhookServer.Request r :
                    posts.stream().filter(r -> r.status() == 200).toList()) {
                assertThat(r.header("Authorization")).isEqualTo("Bearer xoxb-test-token");
                String text = JSON.readTree(r.body()).get("text").asText();
                long n = text.lines().filter(l -> l.startsWith("• ")).count();
                assertThat(n).isBetween(1L, 8L);
                lines += (int) n;
                assertThat(text).contains("`email`", "ja****************rg").doesNotContain("xoxb");
            }
            assertThat(lines).isEqualTo(20);
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.holds()) {
            assertThat(System.nanoTime()).as("within 60 s").isLessThan(deadline);
            Thread.sleep(20); // the poll's interval
        }
    }
}
