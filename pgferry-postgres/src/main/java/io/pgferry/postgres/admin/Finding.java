package io.pgferry.postgres.admin;

import java.util.Objects;

/**
 * One result of {@link Preflight}: what was checked, what was found and, unless it is fine, how to fix it.
 *
 * @param subject what was checked ({@code wal_level}, {@code table public.orders}, ...)
 * @param message what was found, one line
 * @param fix what to do, one line; empty for {@link Severity#OK}
 */
public record Finding(Severity severity, String subject, String message, String fix) {
    /** How a finding bears on readiness: any {@link #FAIL} means pgferry cannot stream from this source. */
    public enum Severity {
        OK,
        WARN,
        FAIL
    }

    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(message, "message");
        fix = fix == null ? "" : fix;
    }

    static Finding ok(String subject, String message) {
        return new Finding(Severity.OK, subject, message, "");
    }

    static Finding warn(String subject, String message, String fix) {
        return new Finding(Severity.WARN, subject, message, fix);
    }

    static Finding fail(String subject, String message, String fix) {
        return new Finding(Severity.FAIL, subject, message, fix);
    }
}
