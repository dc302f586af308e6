package io.pgferry.scan.mask;

import io.pgferry.scan.Fingerprints;
import io.pgferry.scan.Masking;
import java.util.Locale;

/**
 * What a mask does to a value (or to each match of a rule in it). Every transform is deterministic, so a value is
 * masked alike in the copy, in every change and in the old row image that finds a row.
 */
enum Transform {
    /** Every character a {@code *}, the length kept. */
    REDACT(true, true),
    /** The first 2 and last 2 characters kept, the others {@code *} (all under 8 characters). */
    PARTIAL(true, true),
    /** A keyed hash (HMAC-SHA-256 under the mask file's key, 32 hex digits): equal values stay equal, joins work. */
    HASH(false, true),
    /** A given value. */
    FIXED(true, false),
    /** NULL. */
    NULL(true, false);

    /** Can map two values to one: refused on a key or unique column. */
    final boolean lossy;
    /** Produces text from text: usable only on text-like columns (and by rules, inside text). */
    final boolean textual;

    Transform(boolean lossy, boolean textual) {
        this.lossy = lossy;
        this.textual = textual;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Transform parse(String s) {
        for (Transform t : values()) {
            if (t.label().equals(s)) {
                return t;
            }
        }
        return null;
    }

    /** @param fixed the value of {@link #FIXED}; @param hash the keyed hash of {@link #HASH} */
    String apply(String value, String fixed, Fingerprints hash) {
        return switch (this) {
            case REDACT -> "*".repeat(value.codePointCount(0, value.length()));
            case PARTIAL -> Masking.sample(value);
            case HASH -> hash.of("mask", value);
            case FIXED -> fixed;
            case NULL -> null;
        };
    }
}
