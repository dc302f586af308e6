package io.pgferry.core;

import java.util.Locale;

/**
 * An error a user can act on: it names the problem and the fix, and says whether retrying may help.
 *
 * <p>Retriable errors (a lost connection, a slot briefly held by a previous walsender) are retried by the stream
 * with backoff; fatal ones (bad configuration, missing rights, a protocol violation) stop it at once. The message is
 * a single line and never contains row values or passwords.
 */
public class PgFerryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String problem;
    private final String fix;
    private final boolean retriable;

    public PgFerryException(String problem, String fix, boolean retriable, Throwable cause) {
        super(message(singleLine(problem), singleLine(fix)), cause);
        this.problem = singleLine(problem);
        this.fix = singleLine(fix);
        this.retriable = retriable;
    }

    private static String message(String problem, String fix) {
        return fix == null || fix.isEmpty() ? problem : problem + "; fix: " + fix;
    }

    /**
     * Keeps the one-line promise whatever the parts quote: user input such as a table name may hold line breaks
     * (PostgreSQL allows them in quoted identifiers). Each line terminator becomes a visible escape ({@code \n},
     * {@code \r}, else a backslash, {@code u} and four hex digits), so the name stays recognisable.
     */
    private static String singleLine(String s) {
        if (s == null || s.chars().noneMatch(PgFerryException::isLineTerminator)) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (isLineTerminator(c)) {
                out.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The characters {@code \R} matches: LF, VT, FF, CR, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR. */
    private static boolean isLineTerminator(int c) {
        return c == '\n' || c == '\u000B' || c == '\f' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }

    public static PgFerryException fatal(String problem, String fix) {
        return new PgFerryException(problem, fix, false, null);
    }

    public static PgFerryException fatal(String problem, String fix, Throwable cause) {
        return new PgFerryException(problem, fix, false, cause);
    }

    public static PgFerryException retriable(String problem, String fix, Throwable cause) {
        return new PgFerryException(problem, fix, true, cause);
    }

    public String problem() {
        return problem;
    }

    public String fix() {
        return fix;
    }

    public boolean isRetriable() {
        return retriable;
    }
}
