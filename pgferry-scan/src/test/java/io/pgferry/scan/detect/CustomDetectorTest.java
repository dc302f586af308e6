package io.pgferry.scan.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.scan.Scanner;
import io.pgferry.scan.rules.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A detector from the class path's {@link DetectorProvider}s, named by a rule like a bundled one. */
class CustomDetectorTest {
    @TempDir
    Path dir;

    @Test
    void aProviderOnTheClassPathIsARuleBuiltin() throws Exception {
        assertThat(Detectors.load().names()).contains("employee_id", "credit_card");
        Path f = dir.resolve("rules.toml");
        Files.writeString(
                f,
                "[[rules]]\nid = \"emp\"\nseverity = \"medium\"\ntype = \"builtin\"\n" + "builtin = \"employee_id\"\n");
        RuleSet rules = RuleSet.load(f);
        assertThat(Scanner.matches(rules.rules(), "EMP-123456, EMP-12, EMP-654321"))
                .extracting(Scanner.Match::start)
                .containsExactly(0, 20);
    }
}
