package io.pgferry.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PackageLayers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code event} (what a change becomes as a record) uses nothing of the entry package (the producer, the positions),
 * so that the Connect source connector can build on it without a producer. Read from the sources, so that a cycle
 * fails the build instead of growing unnoticed.
 */
class PackageLayersTest {
    private static final Path SOURCES = Path.of("src/main/java/io/pgferry/kafka");

    private static final Map<String, List<String>> ALLOWED = Map.of("event", List.of());

    @Test
    void theEventPackageUsesNothingOfTheSink() {
        assertThat(PackageLayers.violations(SOURCES, "io.pgferry.kafka", ALLOWED))
                .isEmpty();
        assertThat(SOURCES.resolve("event").resolve("package-info.java")).exists();
    }
}
