package io.pgferry.scan.rules;

import io.pgferry.core.PgFerryException;
import io.pgferry.scan.detect.Detectors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The rules a scan runs, loaded whole from one file (or the bundled set) and checked before use: an instance is
 * always complete and valid. Immutable; share it between threads, and replace it whole to reload.
 */
public final class RuleSet {
    private static final String BUNDLED = "bundled.yaml";

    private final String origin;
    private final List<Rule> rules;

    private RuleSet(String origin, List<Rule> rules) {
        this.origin = origin;
        this.rules = List.copyOf(rules);
    }

    /**
     * The rules of a {@code .toml}, {@code .yaml} or {@code .yml} file.
     *
     * @throws PgFerryException (fatal) naming the rule and the reason when the file does not load
     */
    public static RuleSet load(Path file) {
        RuleFileReader.Format format =
                RuleFileReader.Format.of(file.getFileName().toString());
        if (format == null) {
            throw PgFerryException.fatal(
                    "rule file " + file + " is neither TOML nor YAML", "name it *.toml, *.yaml or *.yml");
        }
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "cannot read rule file " + file + ": " + e.getMessage(), "check the path and permissions", e);
        }
        return new RuleSet(
                file.toString(), new RuleFileReader(file.toString(), Detectors.load()).read(content, format));
    }

    /** pgferry's bundled rules: cards, identifiers, phone numbers, e-mail, IBAN and common secrets. */
    public static RuleSet bundled() {
        try (InputStream in = RuleSet.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("the bundled rule file is missing from the jar");
            }
            String content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new RuleSet(
                    "(bundled)",
                    new RuleFileReader("(bundled)", Detectors.load()).read(content, RuleFileReader.Format.YAML));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled rule file", e);
        }
    }

    /** Where the rules came from: a path, or {@code (bundled)}. */
    public String origin() {
        return origin;
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The rule with that id, or null. */
    public Rule rule(String id) {
        return rules.stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
    }
}
