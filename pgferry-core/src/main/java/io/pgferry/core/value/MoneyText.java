package io.pgferry.core.value;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Reads the amount out of money's text output, which follows the server's lc_monetary: a currency symbol before or
 * after, digit grouping, a minus sign or parentheses for negative amounts, and a '.' or ',' decimal point (PostgreSQL
 * docs, "Monetary Types"). The decimal point is the last '.' or ',' unless three digits follow it and the same
 * character also appears before it, or it is a ',' after which exactly three digits follow with no '.' anywhere (as
 * in "$1,234" under a locale without fraction digits).
 */
final class MoneyText {
    private MoneyText() {}

    static Money parse(String text) {
        boolean negative = text.indexOf('-') >= 0 || text.indexOf('(') >= 0;
        StringBuilder digits = new StringBuilder(text.length());
        int lastSep = -1;
        char lastSepChar = 0;
        int sepCountOfLast = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (c == '.' || c == ',') {
                if (c == lastSepChar) {
                    sepCountOfLast++;
                } else {
                    sepCountOfLast = 1;
                }
                lastSep = digits.length();
                lastSepChar = c;
            }
        }
        if (digits.length() == 0) {
            throw new BadValueException("money text without digits");
        }
        int scale = 0;
        if (lastSep >= 0) {
            int after = digits.length() - lastSep;
            boolean grouping = after == 3 && (sepCountOfLast > 1 || lastSepChar == ',' && text.indexOf('.') < 0);
            if (!grouping) {
                scale = after;
            }
        }
        BigDecimal amount = new BigDecimal(new BigInteger(digits.toString()), scale);
        return new Money(text, negative ? amount.negate() : amount);
    }
}
