package io.pgferry.core;

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
        super(fix == null || fix.isEmpty() ? problem : problem + "; fix: " + fix, cause);
        this.problem = problem;
        this.fix = fix;
        this.retriable = retriable;
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
