package io.pgferry.core.value;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A money value. PostgreSQL formats money after the server's lc_monetary ({@code $1,234.56}), so the text is kept
 * as printed and the amount is the number in it: currency symbols and digit grouping removed, parentheses or a minus
 * sign meaning negative. From the binary form (an int64 count of the currency's minor units) the scale is taken to be
 * 2, as for every common lc_monetary, and the text is the plain amount ({@code 1234.56}).
 */
public record Money(String text, BigDecimal amount) {
    public Money {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(amount, "amount");
    }

    @Override
    public String toString() {
        return text;
    }
}
