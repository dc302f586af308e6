package io.pgferry.scan.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgferry.core.PgFerryException;
import io.pgferry.scan.Scanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleSetTest {
    @TempDir
    Path dir;

    /** A rules.toml as pgsense-rs ships it (its field names and layout) loads unchanged. */
    @Test
    void loadsPgsenseRulesToml() throws IOException {
        Path f = write(
                "rules.toml",
                """
                [[rules]]
                type = "builtin"
                id = "credit-card"
                description = "Credit card numbers (Visa, MC, Amex, Discover)"
                category = "PCI_DSS"
                severity = "critical"
                builtin = "credit_card"

                [[rules]]
                id = "email-address"
                description = "Email addresses"
                category = "PII"
                severity = "high"
                pattern = '[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}'

                [rules.allowlist]
                description = "Internal test emails"
                values = ["test@example.com"]
                patterns = ['.*@example\\.com$']

                [[rules]]
                id = "credit-card-regex"
                description = "Credit card numbers (pattern + Luhn check)"
                category = "PCI_DSS"
                severity = "critical"
                pattern = '\\b\\d{4}[- ]?\\d{4}[- ]?\\d{4}[- ]?\\d{4}\\b'
                validate = "luhn"
                channels = ["slack"]

                [rules.scope]
                include_tables = ["public.pay*"]
                exclude_columns = ["id"]
                """);
        RuleSet rules = RuleSet.load(f);
        assertThat(rules.rules())
                .extracting(Rule::id)
                .containsExactly("credit-card", "email-address", "credit-card-regex");
        Rule email = rules.rule("email-address");
        assertThat(Scanner.matches(List.of(email), "a@example.com b@shop.io test@example.com"))
                .extracting(m -> m.start())
                .containsExactly(14);
        Rule regexCard = rules.rule("credit-card-regex");
        assertThat(regexCard.routesTo("slack")).isTrue();
        assertThat(regexCard.routesTo("log")).isFalse();
        assertThat(regexCard.scope().coversTable("public", "payments")).isTrue();
        assertThat(regexCard.scope().coversTable("public", "orders")).isFalse();
        assertThat(regexCard.scope().coversColumn("id")).isFalse();
        assertThat(Scanner.matches(List.of(regexCard), "4111-1111-1111-1111 and 4111-1111-1111-1112"))
                .hasSize(1);
    }

    @Test
    void loadsYaml() throws IOException {
        Path f = write(
                "rules.yaml",
                """
                rules:
                  - id: internal-ticket
                    description: Ticket ids
                    category: CUSTOM
                    severity: low
                    pattern: 'TCK-[0-9]{6}'
                """);
        RuleSet rules = RuleSet.load(f);
        assertThat(Scanner.matches(rules.rules(), "TCK-000001 and TCK-123456")).hasSize(2);
    }

    /** Issue 8, defect 8: a regex rule without its pattern made pgsense-rs panic; here it is refused by id. */
    @Test
    void ruleWithoutPatternIsRefusedByIdNotAPanic() throws IOException {
        Path f = write(
                "rules.toml",
                """
                [[rules]]
                id = "no-pattern"
                description = "x"
                category = "PII"
                severity = "high"
                """);
        assertThatThrownBy(() -> RuleSet.load(f))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining("rule no-pattern is a regex rule without a pattern")
                .satisfies(e -> assertThat(((PgFerryException) e).fix()).contains("pattern"));
    }

    @Test
    void refusesWhatItCannotHonourNamingTheRule() throws IOException {
        assertRefused(
                """
                [[rules]]
                id = "bad-sev"
                severity = "urgent"
                pattern = 'x'
                """,
                "rule bad-sev has severity 'urgent'");
        assertRefused(
                """
                [[rules]]
                id = "lookbehind"
                severity = "high"
                pattern = '(?<=a)b'
                """,
                "rule lookbehind pattern does not compile");
        assertRefused(
                """
                [[rules]]
                id = "typo"
                severity = "high"
                patern = 'x'
                """,
                "rule typo has unknown field 'patern'");
        assertRefused(
                """
                [[rules]]
                id = "v"
                severity = "high"
                pattern = 'x'
                validate = "crc"
                """,
                "rule v has validate 'crc'");
        assertRefused(
                """
                [[rules]]
                id = "b"
                severity = "high"
                type = "builtin"
                builtin = "passport"
                """,
                "rule b names builtin 'passport'");
        assertRefused(
                """
                [[rules]]
                id = "s"
                severity = "high"
                type = "script"
                script = "x.rhai"
                """,
                "rule s is a script rule");
        assertRefused(
                """
                [[rules]]
                id = "dup"
                severity = "high"
                pattern = 'x'
                [[rules]]
                id = "dup"
                severity = "high"
                pattern = 'y'
                """,
                "two rules with id dup");
        assertRefused(
                """
                [[rules]]
                severity = "high"
                pattern = 'y'
                """,
                "rule #1 has no id");
        assertRefused("[[rules]\nid=", "is not valid TOML");
        assertRefused("title = 'x'", "the file has unknown field 'title'");
    }

    @Test
    void refusesAFileNeitherTomlNorYaml() throws IOException {
        Path f = write("rules.txt", "rules: []");
        assertThatThrownBy(() -> RuleSet.load(f)).hasMessageContaining("neither TOML nor YAML");
    }

    @Test
    void bundledRulesLoad() {
        assertThat(RuleSet.bundled().rules()).extracting(Rule::id).contains("credit-card", "ssn", "private-key");
    }

    private void assertRefused(String toml, String message) throws IOException {
        Path f = write("r" + System.nanoTime() + ".toml", toml);
        assertThatThrownBy(() -> RuleSet.load(f))
                .isInstanceOf(PgFerryException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((PgFerryException) e).isRetriable()).isFalse());
    }

    private Path write(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }
}
