package io.pgferry.scan.alert;

import io.pgferry.scan.Finding;
import java.util.Locale;

/** A finding as one line for people: severity, rule, where, which row, the masked sample. */
final class FindingText {
    private FindingText() {}

    static String of(Finding f) {
        StringBuilder b = new StringBuilder(160);
        b.append(f.severity().name())
                .append(' ')
                .append(f.rule())
                .append(" in ")
                .append(f.database())
                .append(' ')
                .append(f.location());
        if (!f.key().isEmpty()) {
            b.append(" key ").append(f.key());
        }
        b.append(": ").append(f.sample()).append(String.format(Locale.ROOT, " (%s at %s", f.op(), f.commitLsn()));
        if (f.commitTime() != null) {
            b.append(", ").append(f.commitTime());
        }
        return b.append(')').toString();
    }
}
