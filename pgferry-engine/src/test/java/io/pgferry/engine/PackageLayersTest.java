package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PackageLayers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine's sub-packages depend on each other one way (package-info): {@code config} on none of them, {@code
 * schema} on {@code config}, {@code copy} on both, the entry package on all. Read from the sources, so that a cycle
 * fails the build instead of growing unnoticed.
 */
class PackageLayersTest {
    private static final Path SOURCES = Path.of("src/main/java/io/pgferry/engine");

    /** What each package may use of the engine, besides itself. */
    private static final Map<String, List<String>> ALLOWED = Map.of(
            "config", List.of(),
            "schema", List.of("config"),
            "copy", List.of("config", "schema"));

    @Test
    void subPackagesUseOnlyTheLayersBelowThem() {
        assertThat(PackageLayers.violations(SOURCES, "io.pgferry.engine", ALLOWED))
                .isEmpty();
    }

    @Test
    void theLayersAreAllThere() {
        for (String layer : ALLOWED.keySet()) {
            assertThat(SOURCES.resolve(layer).resolve("package-info.java")).exists();
        }
    }
}
