package io.pgferry.scan.detect;

import org.apache.commons.validator.routines.checkdigit.LuhnCheckDigit;

/** The Luhn (mod 10) check of card numbers, on the digits of a match (separators ignored). */
final class Luhn {
    private Luhn() {}

    static boolean valid(CharSequence s, int start, int end) {
        String digits = Digits.only(s, start, end);
        return digits.length() >= 2 && LuhnCheckDigit.LUHN_CHECK_DIGIT.isValid(digits);
    }
}
