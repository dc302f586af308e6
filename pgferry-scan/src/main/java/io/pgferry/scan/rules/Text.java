package io.pgferry.scan.rules;

import java.util.List;
import java.util.Locale;

/**
 * A value being scanned, with its lower-case form computed once, on the first rule that has keywords: every rule
 * then shares it.
 */
public final class Text {
    private final String value;
    private String lower;

    public Text(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    boolean containsAny(List<String> keywords) {
        if (lower == null) {
            lower = value.toLowerCase(Locale.ROOT);
        }
        for (String k : keywords) {
            if (lower.contains(k)) {
                return true;
            }
        }
        return false;
    }
}
