package io.pgferry.postgres.connect;

import java.nio.file.Path;
import java.util.Map;

/**
 * What libpq reads from outside the connection string: environment variables (PGHOST, PGPASSWORD, ...), the
 * operating-system user name (default role) and the home directory (default {@code ~/.pgpass} and TLS files).
 * Injected so tests control it.
 */
record DsnEnvironment(Map<String, String> variables, String osUser, Path home) {
    DsnEnvironment {
        variables = Map.copyOf(variables);
    }

    static DsnEnvironment system() {
        return new DsnEnvironment(
                System.getenv(),
                System.getProperty("user.name", "postgres"),
                Path.of(System.getProperty("user.home", ".")));
    }

    /** The variable's value, or null when it is unset or empty (libpq ignores empty variables). */
    String get(String name) {
        String value = variables.get(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
