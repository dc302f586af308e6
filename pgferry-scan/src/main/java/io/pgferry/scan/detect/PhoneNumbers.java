package io.pgferry.scan.detect;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency;

/**
 * Phone numbers that libphonenumber finds and judges valid (a number its region's plan assigns): international
 * ({@code +44 20 7946 0958}, {@code 0044…}) and, without a country code, numbers of the default region (US).
 */
final class PhoneNumbers implements Detector {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private static final String DEFAULT_REGION = "US";
    /** libphonenumber's own bound on candidates tried per text, which keeps a long value linear. */
    private static final long MAX_TRIES = 1_000;

    @Override
    public void find(String value, Matches out) {
        if (!Digits.atLeast(value, 7)) {
            return;
        }
        for (PhoneNumberMatch m : UTIL.findNumbers(value, DEFAULT_REGION, Leniency.VALID, MAX_TRIES)) {
            out.match(m.start(), m.end());
        }
    }

    /** The {@code phone} validator of a regex rule. */
    static boolean valid(CharSequence s, int start, int end) {
        try {
            return UTIL.isValidNumber(UTIL.parse(s.subSequence(start, end), DEFAULT_REGION));
        } catch (NumberParseException e) {
            return false;
        }
    }
}
