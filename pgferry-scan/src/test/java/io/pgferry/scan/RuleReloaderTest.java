package io.pgferry.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.scan.rules.RuleSet;
import io.pgferry.scan.rules.Scope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload of a rule file. Guards issue 8, defect 8 on reload: a broken file (here a rule without its pattern)
 * keeps the rules already loaded and is counted, instead of stopping the scanner.
 */
class RuleReloaderTest {
    @TempDir
    Path dir;

    @Test
    void aGoodFileIsTakenABrokenOneKeepsTheOldRules() throws Exception {
        Path rules = dir.resolve("rules.toml");
        write(rules, "[[rules]]\nid = \"ticket\"\nseverity = \"low\"\npattern = 'TCK-[0-9]{4}'\n");
        Scanner scanner = new Scanner(RuleSet.load(rules), Scope.ALL, false);
        try (RuleReloader reloader = new RuleReloader(rules, List.of(scanner), Duration.ofMillis(50))) {
            assertThat(found(scanner, "TCK-1234 and ORD-99")).containsExactly("ticket");

            write(rules, "[[rules]]\nid = \"order\"\nseverity = \"low\"\npattern = 'ORD-[0-9]{2}'\n");
            await(reloader::reloads, 1);
            assertThat(found(scanner, "TCK-1234 and ORD-99")).containsExactly("order");

            write(rules, "[[rules]]\nid = \"broken\"\nseverity = \"low\"\n");
            await(reloader::failures, 1);
            assertThat(found(scanner, "TCK-1234 and ORD-99")).containsExactly("order");
            assertThat(reloader.reloads()).isEqualTo(1);

            write(rules, "[[rules]]\nid = \"ticket\"\nseverity = \"low\"\npattern = 'TCK-[0-9]{4}'\n");
            await(reloader::reloads, 2);
            assertThat(found(scanner, "TCK-1234 and ORD-99")).containsExactly("ticket");
        }
    }

    private static List<String> found(Scanner s, String value) {
        return Scanner.matches(s.rules().rules(), value).stream()
                .map(m -> m.rule().id())
                .toList();
    }

    /** Replaces the file atomically, as editors and config-map updates do. */
    private void write(Path target, String content) throws Exception {
        Path tmp = dir.resolve("rules.tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void await(LongSupplier counter, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (counter.getAsLong() < atLeast) {
            assertThat(System.nanoTime()).as("within 30 s").isLessThan(deadline);
            Thread.sleep(10); // the poll's interval
        }
    }
}
