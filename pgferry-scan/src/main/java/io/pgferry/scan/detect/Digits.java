package io.pgferry.scan.detect;

/** Digit counting and extraction shared by the numeric detectors and validators. */
final class Digits {
    private Digits() {}

    static String only(CharSequence s, int start, int end) {
        StringBuilder b = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** True when {@code s} holds at least {@code n} ASCII digits: a cheap gate before a costlier search. */
    static boolean atLeast(CharSequence s, int n) {
        int seen = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9' && ++seen >= n) {
                return true;
            }
        }
        return false;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A letter or digit: what may not touch a match on either side for it to stand as a whole token. */
    static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
