package io.pgferry.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Made-up text values for benchmarks ({@code pgferry rules bench --generate}, the scan benchmark): short sentences of
 * ordinary words, numbers and dates, about one in twenty carrying one sensitive value (a test card number, an
 * e-mail address, a phone number, an SSN, an IBAN or a key shaped like a cloud credential). Deterministic for a seed.
 * None of the values is real: the card numbers are the schemes' published test numbers.
 */
public final class SampleValues {
    private static final String[] WORDS = {
        "order", "shipped", "customer", "invoice", "the", "and", "delivery", "address", "total", "paid", "refund",
        "warehouse", "pending", "note", "call", "back", "tomorrow", "urgent", "item", "returned", "size", "colour",
        "blue", "large", "discount", "applied", "thanks", "account", "updated", "review", "ticket", "closed"
    };
    private static final String[] SENSITIVE = {
        "4111 1111 1111 1111",
        "5555555555554444",
        "378282246310005",
        "jane.doe@example.com",
        "+44 20 7946 0958",
        "(415) 555-2671",
        "123-45-6789",
        "DE89 3704 0044 0532 0130 00",
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    };

    private SampleValues() {}

    /** {@code n} values, {@code sensitivePercent} of them carrying one sensitive value. */
    public static List<String> generate(int n, int sensitivePercent, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(one(r, r.nextInt(100) < sensitivePercent));
        }
        return out;
    }

    /** One value; with {@code sensitive}, one sensitive item inside it. */
    public static String one(SplittableRandom r, boolean sensitive) {
        StringBuilder b = new StringBuilder(96);
        int words = 6 + r.nextInt(10);
        int at = sensitive ? r.nextInt(words) : -1;
        for (int w = 0; w < words; w++) {
            if (w > 0) {
                b.append(' ');
            }
            if (w == at) {
                b.append(SENSITIVE[r.nextInt(SENSITIVE.length)]);
            } else if (r.nextInt(8) == 0) {
                b.append(r.nextInt(100_000));
            } else {
                b.append(WORDS[r.nextInt(WORDS.length)]);
            }
        }
        return b.toString();
    }
}
