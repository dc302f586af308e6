package io.pgferry.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.cli.ChildCli;
import io.pgferry.cli.StreamRun;
import io.pgferry.cli.command.ExitCodes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgferry demo} in a child JVM, as a user runs it; it needs no server but its own. */
class DemoCommandTest {
    @Test
    void demoStreamsTheWorkloadAndExitsZero(@TempDir Path dir) throws IOException, InterruptedException {
        ChildCli demo = ChildCli.run(dir, Duration.ofSeconds(90), Map.of(), "demo", "--orders", "3");
        String err = demo.err();
        assertThat(demo.exitCode()).as(err).isEqualTo(ExitCodes.OK);

        List<JsonNode> lines = StreamRun.lines(demo.stdout());
        Map<String, Long> ops =
                lines.stream().collect(Collectors.groupingBy(l -> l.get("op").textValue(), Collectors.counting()));
        // 3 customers exist (read); 3 orders placed, each but the first paying the one before; a customer added
        // and one changed; order 1 cancelled with a message.
        assertThat(ops).isEqualTo(Map.of("read", 3L, "insert", 4L, "update", 3L, "delete", 1L, "message", 1L));
        assertThat(lines.get(0).get("op").textValue()).isEqualTo("read");
        assertThat(lines.subList(0, 3)).allMatch(l -> l.get("table").textValue().equals("customers"));
        JsonNode message = lines.stream()
                .filter(l -> l.get("op").textValue().equals("message"))
                .findFirst()
                .orElseThrow();
        assertThat(message.get("prefix").textValue()).isEqualTo("demo");
        JsonNode delete = lines.stream()
                .filter(l -> l.get("op").textValue().equals("delete"))
                .findFirst()
                .orElseThrow();
        assertThat(delete.get("key")).isEqualTo(StreamRun.json("{\"id\":1}"));
        assertThat(message.get("xid")).isEqualTo(delete.get("xid"));
        Map<String, JsonNode> customers = lines.stream()
                .filter(l ->
                        l.get("table").isTextual() && l.get("table").textValue().equals("customers"))
                .filter(l -> !l.get("op").textValue().equals("read"))
                .collect(Collectors.toMap(l -> l.get("op").textValue(), Function.identity()));
        assertThat(customers.get("insert").get("after").get("name").textValue()).isEqualTo("Edsger");
        assertThat(customers.get("update").get("after").get("email").textValue())
                .isEqualTo("linus@example.org");

        List<String> errLines = err.lines().toList();
        assertThat(errLines.get(0)).startsWith("pgferry demo: starting an embedded PostgreSQL");
        assertThat(errLines).anyMatch(l -> l.startsWith("pgferry demo: streaming;"));
        assertThat(errLines.get(errLines.size() - 1))
                .matches("pgferry demo: done in \\d+\\.\\d s: \\d+ transactions, 12 changes, slot confirmed up to"
                        + " [0-9A-F]+/[0-9A-F]+");
    }
}
