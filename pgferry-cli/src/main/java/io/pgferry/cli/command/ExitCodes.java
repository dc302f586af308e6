package io.pgferry.cli.command;

/** The exit codes of every {@code pgferry} command; scripts depend on them, so they never change meaning. */
public final class ExitCodes {
    /** Success; for {@code check}, the source is ready. */
    public static final int OK = 0;
    /** {@code check} found at least one FAIL: the source is not ready. */
    public static final int NOT_READY = 1;
    /** Bad usage or configuration: unknown option, missing or malformed DSN, bad name. Nothing was done. */
    public static final int USAGE = 2;
    /** A runtime failure: the server could not be reached, refused us, or an operation failed. */
    public static final int RUNTIME = 3;

    /** {@code verify}, {@code diff}: the two sides differ. */
    public static final int DIVERGED = 1;
    /** {@code verify}: no verdict (coverage below the minimum, buckets unstable, tables not comparable). */
    public static final int INCONCLUSIVE = 3;
    /** {@code verify}, {@code inspect}, {@code repair}, {@code diff}: a runtime failure (3 means inconclusive there). */
    public static final int VERIFY_RUNTIME = 4;

    private ExitCodes() {}
}
