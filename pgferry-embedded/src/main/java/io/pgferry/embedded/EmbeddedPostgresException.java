package io.pgferry.embedded;

/** The embedded server could not be installed, started or stopped; the message is one line and names the cause. */
public class EmbeddedPostgresException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EmbeddedPostgresException(String message) {
        super(message);
    }

    public EmbeddedPostgresException(String message, Throwable cause) {
        super(message, cause);
    }
}
