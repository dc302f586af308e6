package io.pgferry.core.value;

import java.util.Objects;

/**
 * A bit or bit varying value as its digits, most significant first ({@code "0101"}), exactly as PostgreSQL prints
 * it.
 */
public record BitString(String bits) {
    public BitString {
        Objects.requireNonNull(bits, "bits");
        for (int i = 0; i < bits.length(); i++) {
            char c = bits.charAt(i);
            if (c != '0' && c != '1') {
                throw new BadValueException("bit string contains a character other than 0 and 1 at " + i);
            }
        }
    }

    public int length() {
        return bits.length();
    }

    @Override
    public String toString() {
        return bits;
    }
}
