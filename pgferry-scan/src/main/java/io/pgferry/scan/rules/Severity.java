package io.pgferry.scan.rules;

import java.util.Arrays;
import java.util.Locale;

/** How bad a finding is, in pgsense-rs's terms; ordered from the worst. */
public enum Severity {
    CRITICAL,
    HIGH,
    MEDIUM,
    LOW,
    INFO;

    /** The name in rule files and findings. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a rule file's value, in any case; null when it is none of the labels. */
    static Severity parse(String s) {
        return Arrays.stream(values())
                .filter(v -> v.label().equals(s.toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElse(null);
    }
}
