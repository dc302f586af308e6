package io.pgferry.scan.detect;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.validator.routines.CreditCardValidator;
import org.apache.commons.validator.routines.CreditCardValidator.CreditCardRange;

/**
 * Payment card numbers: 13 to 19 digits, written whole or in groups split by one kind of separator (space or
 * hyphen), whose issuer prefix and length are those of a card scheme and whose Luhn check holds. Two numbers written
 * one after the other in groups are found as two. Linear: every digit group is visited a bounded number of times.
 */
final class CardNumbers implements Detector {
    private static final int MIN = 13;
    private static final int MAX = 19;

    /** Issuer prefix ranges and lengths (ISO/IEC 7812 as the schemes publish them). */
    private static final CreditCardValidator CARDS = new CreditCardValidator(new CreditCardRange[] {
        new CreditCardRange("4", null, new int[] {13, 16, 19}), // Visa
        new CreditCardRange("51", "55", 16, 16), // Mastercard
        new CreditCardRange("2221", "2720", 16, 16), // Mastercard 2-series
        new CreditCardRange("34", null, 15, 15), // American Express
        new CreditCardRange("37", null, 15, 15),
        new CreditCardRange("6011", null, 16, 19), // Discover
        new CreditCardRange("644", "649", 16, 19),
        new CreditCardRange("65", null, 16, 19),
        new CreditCardRange("300", "305", 14, 19), // Diners Club
        new CreditCardRange("36", null, 14, 19),
        new CreditCardRange("38", "39", 16, 19),
        new CreditCardRange("3528", "3589", 16, 19), // JCB
        new CreditCardRange("62", null, 16, 19), // UnionPay
    });

    @Override
    public void find(String value, Matches out) {
        if (!Digits.atLeast(value, MIN)) {
            return;
        }
        int len = value.length();
        int i = 0;
        while (i < len) {
            if (!Digits.isDigit(value.charAt(i)) || (i > 0 && Digits.isWordChar(value.charAt(i - 1)))) {
                i++;
                continue;
            }
            i = run(value, i, out);
        }
    }

    /** Reads the digit groups starting at {@code start}, reports the cards among them, returns where to go on. */
    private static int run(String value, int start, Matches out) {
        int len = value.length();
        List<int[]> groups = new ArrayList<>(6);
        char separator = 0;
        int p = start;
        while (true) {
            int g = p;
            while (p < len && Digits.isDigit(value.charAt(p))) {
                p++;
            }
            groups.add(new int[] {g, p});
            if (p + 1 < len && Digits.isDigit(value.charAt(p + 1))) {
                char c = value.charAt(p);
                if ((c == ' ' || c == '-') && (separator == 0 || separator == c)) {
                    separator = c;
                    p++;
                    continue;
                }
            }
            break;
        }
        boolean endsAtBoundary = p >= len || !Digits.isWordChar(value.charAt(p));
        int gi = 0;
        while (gi < groups.size()) {
            int found = longestCardFrom(value, groups, gi, endsAtBoundary);
            if (found >= 0) {
                out.match(groups.get(gi)[0], groups.get(found)[1]);
                gi = found + 1;
            } else {
                gi++;
            }
        }
        return p;
    }

    private static int longestCardFrom(String value, List<int[]> groups, int from, boolean lastAtBoundary) {
        int digits = 0;
        int best = -1;
        for (int gj = from; gj < groups.size(); gj++) {
            digits += groups.get(gj)[1] - groups.get(gj)[0];
            if (digits > MAX) {
                break;
            }
            boolean boundary = gj < groups.size() - 1 || lastAtBoundary;
            if (digits >= MIN
                    && boundary
                    && CARDS.isValid(Digits.only(value, groups.get(from)[0], groups.get(gj)[1]))) {
                best = gj;
            }
        }
        return best;
    }
}
