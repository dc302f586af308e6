package io.pgferry.scan.detect;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * US Social Security numbers written {@code AAA-GG-SSSS} (or with spaces), as a whole token, with a number the
 * Social Security Administration can issue (see {@link #issuable}). Nine bare digits are not reported: too many
 * other identifiers look the same.
 */
final class SocialSecurityNumbers implements Detector {
    private static final Pattern SSN = Pattern.compile("\\b([0-9]{3})([- ])([0-9]{2})([- ])([0-9]{4})\\b");

    @Override
    public void find(String value, Matches out) {
        if (!Digits.atLeast(value, 9)) {
            return;
        }
        Matcher m = SSN.matcher(value);
        while (m.find()) {
            if (m.group(2).equals(m.group(4)) && issuable(m.group(1), m.group(3), m.group(5))) {
                out.match(m.start(), m.end());
            }
        }
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
