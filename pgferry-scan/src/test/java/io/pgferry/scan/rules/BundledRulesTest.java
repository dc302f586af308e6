package io.pgferry.scan.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.scan.Scanner;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bundled rule against values it must find (exactly the sensitive part, once) and values it must not. The
 * secrets are made up to the published shapes; none is a real credential.
 */
class BundledRulesTest {
    private static final RuleSet BUNDLED = RuleSet.bundled();

    static Stream<Arguments> positives() {
        return Stream.of(
                Arguments.of("credit-card", "paid with 4111 1111 1111 1111 yesterday", "4111 1111 1111 1111"),
                Arguments.of("credit-card", "card=4111111111111111;", "4111111111111111"),
                Arguments.of("credit-card", "amex 3782-822463-10005", "3782-822463-10005"),
                Arguments.of("credit-card", "mc 5555555555554444", "5555555555554444"),
                Arguments.of("credit-card", "jcb 3530111333300000 ok", "3530111333300000"),
                Arguments.of("ssn", "ssn: 123-45-6789", "123-45-6789"),
                Arguments.of("ssn", "id 219 09 9999.", "219 09 9999"),
                Arguments.of("phone", "call +44 20 7946 0958 now", "+44 20 7946 0958"),
                Arguments.of("phone", "office (415) 555-2671", "(415) 555-2671"),
                Arguments.of("email", "write to jane.doe+shop@example.org please", "jane.doe+shop@example.org"),
                Arguments.of("iban", "IBAN DE89 3704 0044 0532 0130 00 EUR", "DE89 3704 0044 0532 0130 00"),
                Arguments.of("iban", "to GB82WEST12345698765432.", "GB82WEST12345698765432"),
                Arguments.of("aws-access-key-id", "key AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE"),
                Arguments.of(
                        "aws-secret-access-key",
                        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                Arguments.of(
                        "gcp-api-key",
                        "k=AIzaSyA1bcdefGhijklmnopQrstuvwxyz012345",
                        "AIzaSyA1bcdefGhijklmnopQrstuvwxyz012345"),
                Arguments.of(
                        "gcp-service-account",
                        "{\"type\": \"service_account\", \"project_id\": \"p\"}",
                        "\"type\": \"service_account\""),
                Arguments.of(
                        "github-token",
                        "token ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 used",
                        "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
                Arguments.of("gitlab-token", "glpat-AbCdEfGhIjKlMnOpQrSt", "glpat-AbCdEfGhIjKlMnOpQrSt"),
                Arguments.of(
                        "slack-token",
                        "xoxb-123456789012-1234567890123-AbCdEf",
                        "xoxb-123456789012-1234567890123-AbCdEf"),
                Arguments.of(
                        "slack-webhook",
                        "post https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
                        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
                Arguments.of("stripe-key", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
                Arguments.of(
                        "twilio-api-key",
                        "SK" + "0123456789abcdef0123456789abcdef",
                        "SK0123456789abcdef0123456789abcdef"),
                Arguments.of(
                        "sendgrid-api-key",
                        "SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq",
                        "SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"),
                Arguments.of("openai-api-key", "OPENAI=sk-proj-" + "A".repeat(48), "sk-proj-" + "A".repeat(48)),
                Arguments.of(
                        "anthropic-api-key",
                        "sk-ant-api03-" + "b".repeat(93) + "AA",
                        "sk-ant-api03-" + "b".repeat(93) + "AA"),
                Arguments.of(
                        "npm-token",
                        "npm_" + "abcdefghijklmnopqrstuvwxyz0123456789",
                        "npm_abcdefghijklmnopqrstuvwxyz0123456789"),
                Arguments.of(
                        "jwt",
                        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
                Arguments.of(
                        "private-key",
                        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----",
                        "-----BEGIN RSA PRIVATE KEY-----"),
                Arguments.of(
                        "private-key",
                        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n",
                        "-----BEGIN OPENSSH PRIVATE KEY-----"));
    }

    static Stream<Arguments> negatives() {
        return Stream.of(
                Arguments.of("credit-card", "4111 1111 1111 1112"), // Luhn fails
                Arguments.of("credit-card", "order 1234567890123456"), // no scheme starts with 1
                Arguments.of("credit-card", "x4111111111111111"), // glued to a word
                Arguments.of("credit-card", "41111111111111111111111"), // too long
                Arguments.of("ssn", "000-12-3456"),
                Arguments.of("ssn", "666-12-3456"),
                Arguments.of("ssn", "900-12-3456"),
                Arguments.of("ssn", "123-00-4567"),
                Arguments.of("ssn", "123-45-0000"),
                Arguments.of("ssn", "123-45 6789"), // mixed separators
                Arguments.of("ssn", "123456789"),
                Arguments.of("phone", "version 1.2.3 build 42"),
                Arguments.of("phone", "+1 000 000 0000"),
                Arguments.of("email", "not an address: jane@"),
                Arguments.of("email", "user@host.invalidtld"),
                Arguments.of("iban", "DE89 3704 0044 0532 0130 01"), // check digits fail
                Arguments.of("iban", "XX12 3456 7890 1234 56"), // no such country
                Arguments.of("aws-access-key-id", "AKIA1234"),
                Arguments.of("gcp-api-key", "AIza-too-short"),
                Arguments.of("github-token", "ghp_short"),
                Arguments.of("gitlab-token", "glpat-short"),
                Arguments.of("slack-token", "xoxb-1"),
                Arguments.of("slack-webhook", "https://hooks.slack.com/"),
                Arguments.of("stripe-key", "sk_live_short"),
                Arguments.of("twilio-api-key", "SKETCHY0123"),
                Arguments.of("sendgrid-api-key", "SG.short.short"),
                Arguments.of("openai-api-key", "sk-proj-short"),
                Arguments.of("anthropic-api-key", "sk-ant-api03-short"),
                Arguments.of("npm-token", "npm_short"),
                Arguments.of("jwt", "eyJhbGciOiJIUzI1NiJ9 alone"),
                Arguments.of("private-key", "-----BEGIN PUBLIC KEY-----"),
                Arguments.of("private-key", "-----BEGIN CERTIFICATE-----"));
    }

    @ParameterizedTest(name = "{0} finds its value in \"{1}\"")
    @MethodSource("positives")
    void findsExactlyTheSensitivePart(String ruleId, String value, String expected) {
        Rule rule = BUNDLED.rule(ruleId);
        assertThat(rule).as("bundled rule %s", ruleId).isNotNull();
        List<Scanner.Match> found = Scanner.matches(List.of(rule), value);
        assertThat(found).hasSize(1);
        assertThat(value.substring(found.get(0).start(), found.get(0).end())).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} ignores \"{1}\"")
    @MethodSource("negatives")
    void ignoresLookAlikes(String ruleId, String value) {
        assertThat(Scanner.matches(List.of(BUNDLED.rule(ruleId)), value)).isEmpty();
    }

    @ParameterizedTest(name = "every rule stays silent on \"{0}\"")
    @MethodSource("cleanText")
    void everyRuleIgnoresOrdinaryText(String value) {
        assertThat(Scanner.matches(BUNDLED.rules(), value)).isEmpty();
    }

    static Stream<String> cleanText() {
        return Stream.of(
                "The quick brown fox jumps over the lazy dog.",
                "Order 1042 shipped on 2026-11-21 at 13:18, total 219.99 EUR",
                "ISBN 978-3-16-148410-0",
                "uuid 123e4567-e89b-12d3-a456-426614174000",
                "skeleton key, sk8 park, risky");
    }
}
