package io.pgferry.postgres.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSession;
import org.postgresql.ssl.PGjdbcHostnameVerifier;

/**
 * Checks the server certificate against {@code host} when a DSN also gives {@code hostaddr}, as libpq does under
 * sslmode=verify-full (libpq docs, "Parameter Key Words", hostaddr: the host name is still used for certificate
 * verification). pgjdbc only knows the address it connected to and would check the certificate against that.
 *
 * <p>pgjdbc creates this class by name from the {@code sslhostnameverifier} property, passing the connection
 * properties to the constructor; {@link Dsn#jdbcProperties()} sets both. Not for direct use.
 */
public final class HostaddrHostnameVerifier implements HostnameVerifier {
    /** Connection property: {@code address=host} pairs, comma-separated (neither part can hold ',' or '='). */
    static final String HOST_NAMES = "pgferryHostNames";

    private final List<String[]> pairs = new ArrayList<>();

    public HostaddrHostnameVerifier(Properties info) {
        String value = info.getProperty(HOST_NAMES, "");
        for (String pair : value.split(",", -1)) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                pairs.add(new String[] {unbracket(pair.substring(0, eq)), pair.substring(eq + 1)});
            }
        }
    }

    /**
     * Verifies the certificate against every host name given for {@code address}; with none, against the address
     * itself. An address listed for two names must match both, so an ambiguous DSN never weakens the check.
     */
    @Override
    public boolean verify(String address, SSLSession session) {
        String connected = unbracket(address);
        boolean any = false;
        for (String[] p : pairs) {
            if (p[0].equalsIgnoreCase(connected)) {
                any = true;
                if (!PGjdbcHostnameVerifier.INSTANCE.verify(p[1], session)) {
                    return false;
                }
            }
        }
        return any || PGjdbcHostnameVerifier.INSTANCE.verify(address, session);
    }

    static String encode(List<String> addresses, List<String> hosts) {
        List<String> out = new ArrayList<>(addresses.size());
        for (int i = 0; i < addresses.size(); i++) {
            out.add(unbracket(addresses.get(i)) + "=" + hosts.get(i));
        }
        return String.join(",", out);
    }

    private static String unbracket(String s) {
        return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    }
}
