package io.pgferry.scan.detect;

/**
 * US Social Security numbers written {@code AAA-GG-SSSS} (or with spaces), as a whole token, with a number the
 * Social Security Administration can issue (see {@link #issuable}). Nine bare digits are not reported: too many
 * other identifiers look the same.
 */
final class SocialSecurityNumbers implements Detector {
    private static final int LENGTH = 11;
    private static final int[] DIGIT_POSITIONS = {0, 1, 2, 4, 5, 7, 8, 9, 10};

    @Override
    public void find(String value, Matches out) {
        if (!Digits.atLeast(value, 9)) {
            return;
        }
        // AAA?GG?SSSS as a whole token, found by hand: a regex engine costs more per value than this one pass.
        int last = value.length() - LENGTH;
        for (int i = 0; i <= last; i++) {
            if (shapedAt(value, i)
                    && (i == 0 || !Digits.isWordChar(value.charAt(i - 1)))
                    && (i + LENGTH == value.length() || !Digits.isWordChar(value.charAt(i + LENGTH)))
                    && issuable(
                            value.substring(i, i + 3), value.substring(i + 4, i + 6), value.substring(i + 7, i + 11))) {
                out.match(i, i + LENGTH);
                i += LENGTH - 1;
            }
        }
    }

    private static boolean shapedAt(String v, int i) {
        char sep = v.charAt(i + 3);
        if ((sep != '-' && sep != ' ') || v.charAt(i + 6) != sep) {
            return false;
        }
        for (int k : DIGIT_POSITIONS) {
            if (!Digits.isDigit(v.charAt(i + k))) {
                return false;
            }
        }
        return true;
    }

    /**
     * No area 000, 666 or 900–999, no group 00, no serial 0000 (SSA, "Social Security Number Randomization"); the
     * number the SSA used in advertising, 078-05-1120, is excluded too.
     */
    static boolean issuable(String area, String group, String serial) {
        int a = Integer.parseInt(area);
        if (a == 0 || a == 666 || a >= 900 || group.equals("00") || serial.equals("0000")) {
            return false;
        }
        return !(a == 78 && group.equals("05") && serial.equals("1120"));
    }

    /** The {@code ssn} validator of a regex rule: the match's digits, 9 of them, issuable. */
    static boolean valid(CharSequence s, int start, int end) {
        String d = Digits.only(s, start, end);
        return d.length() == 9 && issuable(d.substring(0, 3), d.substring(3, 5), d.substring(5));
    }
}
