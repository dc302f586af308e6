package io.pgferry.cli.config;

import java.util.Collection;

/** The valid name closest to a misspelt one, for "did you mean" in errors. */
final class Suggestions {
    private Suggestions() {}

    /** The name of {@code valid} nearest {@code given} by edit distance, or null when none is near enough. */
    static String closest(String given, Collection<String> valid) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String v : valid) {
            int d = distance(given, v);
            if (d < bestDistance) {
                best = v;
                bestDistance = d;
            }
        }
        // Near enough: a typo or two, or a third of the name for long names.
        return best != null && bestDistance <= Math.max(2, given.length() / 3) ? best : null;
    }

    /** Levenshtein distance, two rows. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
