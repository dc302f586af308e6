package io.pgferry.connect;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn;
import java.util.Set;

/**
 * A PostgreSQL connection string given as a connector key, with its secrets given apart as Connect {@code PASSWORD}
 * keys ({@code KEY.password}, {@code KEY.sslpassword}): a string that holds a password or the passphrase of a client
 * key is refused, as Connect shows a string key's value in its REST API and logs. Errors start with the key they are
 * about.
 */
public final class PostgresDsn {
    private PostgresDsn() {}

    /**
     * @param key the key of the connection string ({@code source}, {@code target}); its secrets' keys are {@code
     *     key.password} and {@code key.sslpassword}
     * @param password the password, or null for libpq's rules
     * @param sslpassword the passphrase of an encrypted client key ({@code sslkey}), or null
     */
    public static Dsn parse(String key, String text, String password, String sslpassword) {
        Set<String> given;
        try {
            Dsn.parse(text);
            given = Dsn.keywordsIn(text);
        } catch (PgFerryException e) {
            throw keyed(key, e);
        }
        for (String secret : new String[] {"password", "sslpassword"}) {
            if (given.contains(secret)) {
                throw PgFerryException.fatal(
                        key + ": the connection string holds a " + secret,
                        "remove it from " + key + " and give it as " + key + "." + secret + ", which Connect masks");
            }
        }
        try {
            String withSecrets = password == null ? text : Dsn.withPassword(text, password);
            withSecrets = sslpassword == null ? withSecrets : Dsn.withSslPassword(withSecrets, sslpassword);
            return Dsn.parse(withSecrets);
        } catch (PgFerryException e) {
            throw keyed(key, e);
        }
    }

    /** {@code e} with its problem prefixed by {@code key}. */
    public static PgFerryException keyed(String key, PgFerryException e) {
        return new PgFerryException(key + ": " + e.problem(), e.fix(), false, e);
    }
}
