package io.pgferry.scan.rules;

import io.pgferry.scan.detect.Detector;
import java.util.List;
import java.util.Locale;

/**
 * One loaded rule: what to look for ({@link #detector()}), how bad a match is, what it must not report, where it
 * looks and where its findings go. Immutable and safe to share between threads.
 *
 * @param kind {@code regex} or {@code builtin}
 * @param definition the pattern of a regex rule, the detector name of a builtin one (for listings, never a value)
 * @param channels the channel names findings of this rule go to; empty: every channel
 * @param keywords lower-case words one of which a value must contain for the detector to run (a pre-filter; empty:
 *     always run)
 */
public record Rule(
        String id,
        String description,
        String category,
        Severity severity,
        String kind,
        String definition,
        Detector detector,
        Allowlist allowlist,
        Scope scope,
        List<String> channels,
        List<String> keywords) {
    public Rule {
        channels = List.copyOf(channels);
        keywords = keywords.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
    }

    /** Reports every match in {@code text} that the allowlist does not allow. */
    public void find(Text text, Detector.Matches out) {
        if (!keywords.isEmpty() && !text.containsAny(keywords)) {
            return;
        }
        String value = text.value();
        if (allowlist == Allowlist.NONE) {
            detector.find(value, out);
        } else {
            detector.find(value, (start, end) -> {
                if (!allowlist.allows(value.substring(start, end))) {
                    out.match(start, end);
                }
            });
        }
    }

    /** True when findings of this rule go to the named channel. */
    public boolean routesTo(String channel) {
        return channels.isEmpty() || channels.contains(channel);
    }
}
