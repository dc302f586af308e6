package io.pgferry.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The mask file the {@code --mask} tests share, for a {@code customers} table of email, card, ssn and note. */
public final class MaskFiles {
    /** A keyed hash of email, a partial card, a NULL ssn, and every credit card number inside text redacted. */
    public static final String CUSTOMERS =
            """
            key: 0123456789abcdef-test-key
            columns:
              - table: public.customers
                column: email
                transform: hash
              - table: customers
                column: card
                transform: partial
              - table: customers
                column: ssn
                transform: "null"
            rules:
              - rule: credit-card
                transform: redact
            """;

    private MaskFiles() {}

    /** Writes {@code text} to {@code masks.yaml} in {@code dir} and returns its path. */
    public static Path write(Path dir, String text) throws IOException {
        Path file = dir.resolve("masks.yaml");
        Files.writeString(file, text);
        return file;
    }
}
