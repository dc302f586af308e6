package io.pgferry.scan.detect;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Phone numbers that libphonenumber finds and judges valid (a number its region's plan assigns), grouped the way
 * that region writes them or not grouped at all: international ({@code +44 20 7946 0958}) and, without a country
 * code, numbers of the default region (US). Strict grouping keeps two unrelated numbers side by side
 * ({@code order 20126 57771}) from reading as one phone number.
 */
final class PhoneNumbers implements Detector {
    /**
     * libphonenumber logs, through java.util.logging, a warning for every country without alternate formats the
     * first time strict grouping looks for them: normal, and noise on a user's terminal. Held so it is not collected.
     */
    private static final Logger QUIET = quiet();

    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private static final String DEFAULT_REGION = "US";
    private static final int MIN_DIGITS = 7;
    /** libphonenumber's own bound on candidates tried per text, which keeps a long value linear. */
    private static final long MAX_TRIES = 1_000;

    @Override
    public void find(String value, Matches out) {
        if (!Digits.atLeast(value, MIN_DIGITS)) {
            return;
        }
        int len = value.length();
        int i = 0;
        while (i < len) {
            char c = value.charAt(i);
            boolean starts =
                    (Digits.isDigit(c) || c == '+' || c == '(') && (i == 0 || !Digits.isWordChar(value.charAt(i - 1)));
            if (!starts) {
                i++;
                continue;
            }
            int end = i;
            int digits = 0;
            while (end < len && isPhoneChar(value.charAt(end))) {
                if (Digits.isDigit(value.charAt(end))) {
                    digits++;
                }
                end++;
            }
            if (digits >= MIN_DIGITS) {
                run(value, i, end, out);
            }
            i = Math.max(end, i + 1);
        }
    }

    /**
     * Looks for numbers in a run of phone-like characters: from each digit group that may begin one (after a
     * {@code +} or {@code 00}: international; else grouped as the default region writes its numbers), libphonenumber's
     * finder with strict grouping decides, on that stretch only. Its finder costs far more per character than this
     * pre-scan, and most runs (amounts, ids, two numbers side by side) are turned down before it.
     */
    private static void run(String v, int start, int end, Matches out) {
        int[] gs = new int[16];
        int[] ge = new int[16];
        int n = 0;
        for (int p = start; p < end && n < gs.length; ) {
            if (Digits.isDigit(v.charAt(p))) {
                int q = p;
                while (q < end && Digits.isDigit(v.charAt(q))) {
                    q++;
                }
                gs[n] = p;
                ge[n++] = q;
                p = q;
            } else {
                p++;
            }
        }
        int g = 0;
        while (g < n) {
            int from = gs[g] > start && v.charAt(gs[g] - 1) == '+' ? gs[g] - 1 : gs[g];
            int to;
            if (v.charAt(from) == '+' || (ge[g] - gs[g] == 2 && v.startsWith("00", gs[g]))) {
                to = ge[n - 1];
            } else {
                int last = nanpEnd(gs, ge, g, n);
                if (last < 0) {
                    g++;
                    continue;
                }
                to = ge[last] < end && v.charAt(ge[last]) == ')' ? ge[last] + 1 : ge[last];
                from = from > start && v.charAt(from - 1) == '(' ? from - 1 : from;
            }
            if (to < v.length() && Digits.isWordChar(v.charAt(to))) {
                g++;
                continue;
            }
            int matchedEnd = -1;
            for (PhoneNumberMatch m :
                    UTIL.findNumbers(v.substring(from, to), DEFAULT_REGION, Leniency.STRICT_GROUPING, MAX_TRIES)) {
                out.match(from + m.start(), from + m.end());
                matchedEnd = from + m.end();
            }
            g++;
            while (matchedEnd > 0 && g < n && gs[g] < matchedEnd) {
                g++;
            }
        }
    }

    /**
     * The last group of a number starting at group {@code g} written as NANP numbers are: 3-3-4, 1-3-3-4, 3-7, or 10
     * (11 with a leading 1) digits together; -1 when none fits.
     */
    private static int nanpEnd(int[] gs, int[] ge, int g, int n) {
        int[] len = new int[4];
        int k = 0;
        while (k < 4 && g + k < n) {
            len[k] = ge[g + k] - gs[g + k];
            k++;
        }
        if (k >= 4 && len[0] == 1 && len[1] == 3 && len[2] == 3 && len[3] == 4) {
            return g + 3;
        }
        if (k >= 3 && len[0] == 3 && len[1] == 3 && len[2] == 4) {
            return g + 2;
        }
        if (k >= 2 && len[0] == 3 && len[1] == 7) {
            return g + 1;
        }
        return len[0] == 10 || len[0] == 11 ? g : -1;
    }

    /** What a written phone number is made of: digits, spaces, and the punctuation of national formats. */
    private static boolean isPhoneChar(char c) {
        return Digits.isDigit(c) || c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+' || c == '/';
    }

    private static Logger quiet() {
        Logger l = Logger.getLogger("com.google.i18n.phonenumbers");
        l.setLevel(Level.SEVERE);
        return l;
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
