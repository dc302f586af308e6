package io.pgferry.scan.detect;

import java.util.List;
import java.util.Map;

/**
 * A check a regex rule applies to each match ({@code validate = "luhn"}), so that a pattern may be loose and the
 * finding still exact.
 */
@FunctionalInterface
public interface Validator {
    /** True when {@code s[start, end)} passes. */
    boolean valid(CharSequence s, int start, int end);

    /** Every validator a rule may name, by name. */
    Map<String, Validator> ALL = Map.of(
            "luhn", Luhn::valid,
            "ssn", SocialSecurityNumbers::valid,
            "phone", PhoneNumbers::valid,
            "email", EmailAddresses::valid,
            "iban", Ibans::valid);

    /** The names of {@link #ALL}, sorted, for error messages. */
    static List<String> names() {
        return ALL.keySet().stream().sorted().toList();
    }
}
