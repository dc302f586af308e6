package io.pgferry.scan.detect;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import org.apache.commons.validator.routines.IBANValidator;

/**
 * International Bank Account Numbers, compact or in groups of four: the length the country's registry entry gives
 * (ISO 13616, as Commons Validator carries it), its format, and the mod-97 check.
 */
final class Ibans implements Detector {
    private static final Pattern CANDIDATE = Pattern.compile("\\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}");
    private static final IBANValidator IBANS = IBANValidator.getInstance();

    @Override
    public void find(String value, Matches out) {
        if (value.length() < 15) {
            return;
        }
        int from = nextStart(value, 0);
        if (from < 0) {
            return;
        }
        Matcher m = CANDIDATE.matcher(value);
        while (from < value.length() && m.find(from)) {
            int end = ibanEnd(value, m.start(), m.end());
            if (end > 0) {
                out.match(m.start(), end);
                from = end;
            } else {
                from = m.start() + 1;
            }
        }
    }

    /** The first place at or after {@code from} where two capitals and two digits begin, or -1: a cheap pre-scan. */
    private static int nextStart(String v, int from) {
        for (int i = from, last = v.length() - 4; i <= last; i++) {
            if (isCapital(v.charAt(i))
                    && isCapital(v.charAt(i + 1))
                    && Digits.isDigit(v.charAt(i + 2))
                    && Digits.isDigit(v.charAt(i + 3))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isCapital(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /**
     * Where the IBAN starting at {@code start} ends, taking as many characters as its country's length (a candidate
     * may run on into the next word), or -1 when it is not a valid IBAN.
     */
    private static int ibanEnd(String value, int start, int candidateEnd) {
        IBANValidator.Validator country = IBANS.getValidator(value.substring(start, start + 2));
        if (country == null) {
            return -1;
        }
        int want = country.getIbanLength();
        StringBuilder compact = new StringBuilder(want);
        int p = start;
        while (p < candidateEnd && compact.length() < want) {
            char c = value.charAt(p++);
            if (c != ' ') {
                compact.append(c);
            }
        }
        if (compact.length() != want || (p < value.length() && Digits.isWordChar(value.charAt(p)))) {
            return -1;
        }
        return IBANS.isValid(compact.toString()) ? p : -1;
    }

    /** The {@code iban} validator of a regex rule: the match without spaces is a valid IBAN. */
    static boolean valid(CharSequence s, int start, int end) {
        return IBANS.isValid(s.subSequence(start, end).toString().replace(" ", ""));
    }
}
