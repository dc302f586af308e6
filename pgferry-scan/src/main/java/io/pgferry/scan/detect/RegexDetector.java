package io.pgferry.scan.detect;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * A regex rule: every non-empty match of the pattern that its validator, if any, accepts. The pattern is RE2 syntax
 * (what Rust's {@code regex} crate also accepts), run by RE2/J in time linear in the value: no backtracking, so no
 * crafted value can make a rule slow.
 */
public final class RegexDetector implements Detector {
    private final Pattern pattern;
    private final Validator validator;

    /**
     * @param pattern a compiled RE2/J pattern
     * @param validator applied to each match, or null
     */
    public RegexDetector(Pattern pattern, Validator validator) {
        this.pattern = pattern;
        this.validator = validator;
    }

    @Override
    public void find(String value, Matches out) {
        Matcher m = pattern.matcher(value);
        int from = 0;
        int len = value.length();
        while (from <= len && m.find(from)) {
            int start = m.start();
            int end = m.end();
            if (end > start && (validator == null || validator.valid(value, start, end))) {
                out.match(start, end);
            }
            from = end > start ? end : end + 1;
        }
    }
}
