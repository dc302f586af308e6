package io.pgferry.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A value that may be a secret (a token, a webhook URL, a DSN with a password), given in a configuration as
 * {@code env:NAME} (an environment variable), {@code file:PATH} (a file's content, trimmed) or literally. Secrets
 * resolved here are never echoed in errors.
 */
public final class Secrets {
    private Secrets() {}

    /** @param what the setting, for errors ("the header Authorization of channel hook") */
    public static String resolve(String value, Map<String, String> env, String what) {
        if (value.startsWith("env:")) {
            String name = value.substring(4);
            String v = env.get(name);
            if (v == null || v.isEmpty()) {
                throw PgFerryException.fatal(
                        what + " names the environment variable " + name + ", which is not set",
                        "export " + name + " before starting, or give the value another way");
            }
            return v;
        }
        if (value.startsWith("file:")) {
            Path p = Path.of(value.substring(5));
            try {
                return Files.readString(p, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw PgFerryException.fatal(
                        what + " names the file " + p + ", which cannot be read: " + e.getMessage(),
                        "check the path and its permissions");
            }
        }
        return value;
    }
}
