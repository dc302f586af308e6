package io.pgferry.testkit;

/** Quotes identifiers and string literals for SQL built by the kit (PostgreSQL docs, "Lexical Structure"). */
final class SqlQuoting {
    private SqlQuoting() {}

    /** A delimited identifier: double quotes around it, inner double quotes doubled. */
    static String identifier(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("identifier contains NUL");
        }
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /**
     * A string literal with single quotes doubled. Correct while standard_conforming_strings is on (backslashes are
     * then ordinary characters), which is the default since PostgreSQL 9.1; the kit never turns it off.
     */
    static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("literal contains NUL");
        }
        return "'" + value.replace("'", "''") + "'";
    }
}
