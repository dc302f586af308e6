package io.pgferry.scan.rules;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.Set;

/**
 * Matches a rule must not report: exact values, and patterns any part of the matched text may match (RE2 syntax).
 */
public record Allowlist(Set<String> values, List<Pattern> patterns) {
    public static final Allowlist NONE = new Allowlist(Set.of(), List.of());

    public Allowlist {
        values = Set.copyOf(values);
        patterns = List.copyOf(patterns);
    }

    public boolean allows(String matched) {
        if (values.contains(matched)) {
            return true;
        }
        for (Pattern p : patterns) {
            if (p.matcher(matched).find()) {
                return true;
            }
        }
        return false;
    }
}
