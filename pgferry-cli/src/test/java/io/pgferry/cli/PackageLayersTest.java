package io.pgferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.testkit.PackageLayers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The command line's sub-packages depend on each other one way (package-info): {@code config}, {@code json} and
 * {@code ops} on none of them, {@code command} (what every command shares) on those, each family of commands on
 * {@code command} and below ({@code scan} also on {@code stream}, whose preflight it runs), and {@link Main}, which
 * registers every command, on all.
 */
class PackageLayersTest {
    private static final Path SOURCES = Path.of("src/main/java/io/pgferry/cli");

    private static final List<String> BELOW_COMMANDS = List.of("command", "config", "json", "ops");

    /** What each sub-package may use of the module, besides itself. */
    private static final Map<String, List<String>> ALLOWED = Map.of(
            "config", List.of(),
            "json", List.of(),
            "ops", List.of(),
            "command", List.of("config", "ops"),
            "stream", BELOW_COMMANDS,
            "sync", BELOW_COMMANDS,
            "verify", BELOW_COMMANDS,
            "scan", List.of("command", "config", "json", "ops", "stream"));

    @Test
    void subPackagesUseOnlyTheLayersBelowThem() {
        assertThat(PackageLayers.violations(SOURCES, "io.pgferry.cli", ALLOWED)).isEmpty();
    }

    @Test
    void theLayersAreAllThere() {
        for (String layer : ALLOWED.keySet()) {
            assertThat(SOURCES.resolve(layer).resolve("package-info.java")).exists();
        }
    }
}
