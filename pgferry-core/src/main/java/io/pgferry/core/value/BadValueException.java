package io.pgferry.core.value;

/**
 * A value that does not have the form its type's output function produces. The message says what is wrong but never
 * quotes the value: values must not reach logs.
 */
final class BadValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    BadValueException(String message) {
        super(message);
    }

    BadValueException(String message, Throwable cause) {
        super(message, cause);
    }
}
