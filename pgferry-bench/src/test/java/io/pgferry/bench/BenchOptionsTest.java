package io.pgferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
    @Test
    void defaults() throws Exception {
        BenchOptions o = BenchOptions.parse(new String[0]);
        assertThat(o.big()).isFalse();
        assertThat(o.bigOnly()).isFalse();
        assertThat(o.source()).isNull();
        assertThat(o.repetitions()).isEqualTo(3);
        assertThat(o.recvlogical()).isEqualTo("pg_recvlogical");
        assertThat(o.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.launcher()).isAbsolute();
    }

    @Test
    void everyOption() throws Exception {
        BenchOptions o = BenchOptions.parse(new String[] {
            "--big",
            "--source",
            "postgresql://u@h/db",
            "--repetitions",
            "5",
            "--pgferry",
            "/x/pgferry",
            "--cli-jar",
            "/x/p.jar",
            "--pg-recvlogical",
            "/usr/lib/postgresql/17/bin/pg_recvlogical",
            "--timeout-minutes",
            "2"
        });
        assertThat(o.big()).isTrue();
        assertThat(o.source()).isEqualTo("postgresql://u@h/db");
        assertThat(o.repetitions()).isEqualTo(5);
        assertThat(o.launcher()).hasToString("/x/pgferry");
        assertThat(o.cliJar()).hasToString("/x/p.jar");
        assertThat(o.recvlogical()).isEqualTo("/usr/lib/postgresql/17/bin/pg_recvlogical");
        assertThat(o.timeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void bigOnlyImpliesBig() throws Exception {
        BenchOptions o = BenchOptions.parse(new String[] {"--big-only"});
        assertThat(o.big()).isTrue();
        assertThat(o.bigOnly()).isTrue();
    }

    @Test
    void eachRepetitionStartsOneConsumerLater() {
        java.util.List<String> c = java.util.List.of("recv", "lib", "cli");
        assertThat(StreamBenchmark.rotated(c, 1)).containsExactly("recv", "lib", "cli");
        assertThat(StreamBenchmark.rotated(c, 2)).containsExactly("lib", "cli", "recv");
        assertThat(StreamBenchmark.rotated(c, 3)).containsExactly("cli", "recv", "lib");
        assertThat(StreamBenchmark.rotated(c, 4)).containsExactly("recv", "lib", "cli");
    }

    @Test
    void badInputIsAUsageError() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--repetitions", "0"}))
                .isInstanceOf(BenchOptions.UsageException.class)
                .hasMessageContaining("--repetitions");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--source"}))
                .hasMessageContaining("--source needs a value");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--fast"}))
                .hasMessageContaining("unknown argument '--fast'");
    }
}
