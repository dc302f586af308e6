package io.pgferry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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

    private static final Pattern ENGINE_REFERENCE = Pattern.compile("io\\.pgferry\\.engine\\.(?:(\\w+)\\.)?[A-Z]\\w*");

    @Test
    void subPackagesUseOnlyTheLayersBelowThem() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, List<String>> layer : ALLOWED.entrySet()) {
            try (Stream<Path> files = Files.list(SOURCES.resolve(layer.getKey()))) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String code = code(Files.readString(file));
                    Matcher m = ENGINE_REFERENCE.matcher(code);
                    while (m.find()) {
                        String used = m.group(1) == null ? "(entry package)" : m.group(1);
                        if (!used.equals(layer.getKey()) && !layer.getValue().contains(used)) {
                            violations.add(file.getFileName() + " uses " + m.group());
                        }
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theLayersAreAllThere() {
        for (String layer : ALLOWED.keySet()) {
            assertThat(SOURCES.resolve(layer).resolve("package-info.java")).exists();
        }
    }

    /** The source without comments (Javadoc may link anywhere) and without string contents. */
    private static String code(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "")
                .replaceAll("//[^\n]*", "")
                .replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
    }
}
