package io.pgferry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PackageLayers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The module's sub-packages depend on each other one way (package-info): {@code catalog} on none of them, {@code
 * connect} on {@code catalog}, {@code admin} on both, the stream's package on all.
 */
class PackageLayersTest {
    private static final Path SOURCES = Path.of("src/main/java/io/pgferry/postgres");

    /** What each sub-package may use of the module, besides itself. */
    private static final Map<String, List<String>> ALLOWED = Map.of(
            "catalog", List.of(),
            "connect", List.of("catalog"),
            "admin", List.of("catalog", "connect"));

    @Test
    void subPackagesUseOnlyTheLayersBelowThem() {
        assertThat(PackageLayers.violations(SOURCES, "io.pgferry.postgres", ALLOWED))
                .isEmpty();
    }

    @Test
    void theLayersAreAllThere() {
        for (String layer : ALLOWED.keySet()) {
            assertThat(SOURCES.resolve(layer).resolve("package-info.java")).exists();
        }
    }
}
