package io.pgferry.cli;

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

    private ExitCodes() {}
}
