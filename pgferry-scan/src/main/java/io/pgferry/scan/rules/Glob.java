package io.pgferry.scan.rules;

/**
 * A name pattern of a rule's scope: {@code *} any run of characters, {@code ?} any one character, everything else
 * itself (case-sensitive, as PostgreSQL keeps identifiers). Matching is linear in practice and quadratic at worst,
 * on identifiers of at most 63 bytes.
 */
record Glob(String pattern) {
    boolean matches(String name) {
        int p = 0;
        int n = 0;
        int star = -1;
        int resume = 0;
        while (n < name.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == name.charAt(n))) {
                p++;
                n++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = n;
            } else if (star >= 0) {
                p = star + 1;
                n = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
