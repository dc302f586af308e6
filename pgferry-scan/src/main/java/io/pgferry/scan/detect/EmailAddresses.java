package io.pgferry.scan.detect;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import org.apache.commons.validator.routines.EmailValidator;

/**
 * E-mail addresses: a candidate shaped like {@code local@domain.tld}, kept when Commons Validator accepts it (RFC 5321
 * local part, a domain under a top-level domain IANA lists).
 */
final class EmailAddresses implements Detector {
    private static final Pattern CANDIDATE =
            Pattern.compile("[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63})*\\.[A-Za-z]{2,63}");
    private static final EmailValidator VALIDATOR = EmailValidator.getInstance();

    @Override
    public void find(String value, Matches out) {
        if (value.indexOf('@') < 0) {
            return;
        }
        Matcher m = CANDIDATE.matcher(value);
        while (m.find()) {
            if (VALIDATOR.isValid(m.group())) {
                out.match(m.start(), m.end());
            }
        }
    }

    /** The {@code email} validator of a regex rule. */
    static boolean valid(CharSequence s, int start, int end) {
        return VALIDATOR.isValid(s.subSequence(start, end).toString());
    }
}
