package io.pgferry.connect;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;

/**
 * A PostgreSQL connection string given as a connector key, with its password given apart as a Connect {@code
 * PASSWORD} key: a string that holds a password is refused, as Connect shows a string key's value in its REST API and
 * logs. Errors start with the key they are about.
 */
public final class PostgresDsn {
    private PostgresDsn() {}

    /**
     * @param key the key of the connection string ({@code source}, {@code target})
     * @param passwordKey the key of its password
     * @param password the password, or null for libpq's rules
     */
    public static Dsn parse(String key, String passwordKey, String text, String password) {
        try {
            Dsn.parse(text);
            // Only to learn whether the text holds a password.
            Dsn.withPassword(text, "");
        } catch (PgFerryException e) {
            if (e.problem().contains("holds a password")) {
                throw PgFerryException.fatal(
                        key + ": the connection string holds a password",
                        "remove it from " + key + " and give it as " + passwordKey + ", which Connect masks");
            }
            throw keyed(key, e);
        }
        try {
            return Dsn.parse(password == null ? text : Dsn.withPassword(text, password));
        } catch (PgFerryException e) {
            throw keyed(key, e);
        }
    }

    /** {@code e} with its problem prefixed by {@code key}. */
    public static PgFerryException keyed(String key, PgFerryException e) {
        return new PgFerryException(key + ": " + e.problem(), e.fix(), false, e);
    }
}
