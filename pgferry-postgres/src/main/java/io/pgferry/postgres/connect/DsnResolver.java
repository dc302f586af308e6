package io.pgferry.postgres.connect;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Dsn.PasswordSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the keywords of a parsed connection string and fills in what is missing the way libpq does (see
 * {@link Dsn}). Messages name keywords and describe values by kind, never echoing a password.
 */
final class DsnResolver {
    private static final int DEFAULT_PORT = 5432;
    private static final Set<String> STRUCTURAL =
            Set.of("host", "hostaddr", "port", "dbname", "user", "password", "passfile");

    private DsnResolver() {}

    static Dsn resolve(Map<String, String> given, DsnEnvironment env) {
        Map<String, String> explicit = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String key = e.getKey();
            String refused = DsnKeys.REFUSED.get(key);
            if (refused != null) {
                throw Dsn.malformed(refused);
            }
            if (!DsnKeys.SUPPORTED.containsKey(key)) {
                throw Dsn.malformed("unknown keyword '" + DsnParser.safeName(key) + "'");
            }
            // libpq treats an empty value like an absent keyword.
            if (!e.getValue().isEmpty()) {
                explicit.put(key, e.getValue());
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : DsnKeys.SUPPORTED.entrySet()) {
            String value = explicit.get(e.getKey());
            if (value == null && e.getValue() != null && !e.getKey().equals("password")) {
                value = env.get(e.getValue());
            }
            if (value != null) {
                values.put(e.getKey(), value);
            }
        }

        boolean hasAddresses = values.containsKey("hostaddr");
        List<String> rawAddresses = hasAddresses ? split(values.get("hostaddr")) : List.of();
        List<String> hosts = values.containsKey("host")
                ? split(values.get("host"))
                : hasAddresses ? rawAddresses : List.of("localhost");
        if (hasAddresses && rawAddresses.size() != hosts.size()) {
            throw Dsn.malformed("'hostaddr' lists " + rawAddresses.size() + " addresses but 'host' lists "
                    + hosts.size() + " hosts");
        }
        hosts = defaultHosts(hosts);
        // An empty hostaddr entry means "resolve the host name", as in libpq.
        List<String> addresses = new ArrayList<>(hosts);
        for (int i = 0; i < rawAddresses.size(); i++) {
            if (!rawAddresses.get(i).isBlank()) {
                addresses.set(i, rawAddresses.get(i).strip());
            }
        }
        for (String h : hosts) {
            checkHost(h);
        }
        for (String a : addresses) {
            checkHost(a);
        }
        List<Integer> ports = ports(values.get("port"), hosts.size());

        String user = values.getOrDefault("user", env.osUser());
        String dbname = values.getOrDefault("dbname", user);

        String password = explicit.get("password");
        PasswordSource source = PasswordSource.DSN;
        if (password == null) {
            password = env.get("PGPASSWORD");
            source = PasswordSource.PGPASSWORD;
        }
        Path passfile = null;
        if (password == null) {
            passfile = Path.of(values.getOrDefault(
                    "passfile", env.home().resolve(".pgpass").toString()));
            password = fromPassfile(passfile, hosts, ports, dbname, user).orElse(null);
            source = password == null ? PasswordSource.NONE : PasswordSource.PASSFILE;
        }

        Map<String, String> settings = new LinkedHashMap<>(values);
        STRUCTURAL.forEach(settings::remove);
        String jdbcSslMode = checkSettings(settings, env);
        return new Dsn(
                given, env, hosts, addresses, ports, dbname, user, password, source, passfile, settings, jdbcSslMode);
    }

    /** Validates the non-structural settings; returns the sslmode to hand pgjdbc. */
    private static String checkSettings(Map<String, String> s, DsnEnvironment env) {
        String sslmode = s.getOrDefault("sslmode", "prefer");
        oneOf("sslmode", sslmode, DsnKeys.SSL_MODES);
        oneOf("target_session_attrs", s.get("target_session_attrs"), DsnKeys.TARGET_SESSION_ATTRS.keySet());
        oneOf("channel_binding", s.get("channel_binding"), Set.of("disable", "prefer", "require"));
        oneOf("gssencmode", s.get("gssencmode"), Set.of("disable", "prefer", "require"));
        oneOf("gsslib", s.get("gsslib"), Set.of("gssapi", "sspi"));
        oneOf("load_balance_hosts", s.get("load_balance_hosts"), Set.of("disable", "random"));
        oneOf("sslnegotiation", s.get("sslnegotiation"), Set.of("postgres", "direct"));
        oneOf("keepalives", s.get("keepalives"), Set.of("0", "1"));
        String timeout = s.get("connect_timeout");
        if (timeout != null && !timeout.matches("\\d{1,9}")) {
            throw Dsn.malformed("'connect_timeout' must be a whole number of seconds (0 waits forever)");
        }
        String encoding = s.get("client_encoding");
        if (encoding != null && !Set.of("utf8", "utf-8", "unicode").contains(encoding.toLowerCase(Locale.ROOT))) {
            throw Dsn.malformed("'client_encoding' must be UTF8: pgferry always reads UTF8 from the server");
        }
        String rootCert = s.get("sslrootcert");
        if ("system".equals(rootCert) && !sslmode.equals("verify-full")) {
            throw PgFerryException.fatal(
                    "sslrootcert=system needs sslmode=verify-full (sslmode is " + sslmode + ")",
                    "add sslmode=verify-full, as libpq requires");
        }
        if ("direct".equals(s.get("sslnegotiation"))
                && !Set.of("require", "verify-ca", "verify-full").contains(sslmode)) {
            throw Dsn.malformed("sslnegotiation=direct needs sslmode=require, verify-ca or verify-full");
        }
        // libpq verifies the chain under sslmode=require when a root certificate is available; pgjdbc would not.
        if (sslmode.equals("require")
                && (rootCert != null
                        || Files.isRegularFile(env.home().resolve(".postgresql").resolve("root.crt")))) {
            return "verify-ca";
        }
        return sslmode;
    }

    private static void oneOf(String key, String value, Set<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            throw Dsn.malformed("invalid value for '" + key + "' (expected one of "
                    + String.join(", ", allowed.stream().sorted().toList()) + ")");
        }
    }

    private static List<String> split(String list) {
        return new ArrayList<>(Arrays.asList(list.split(",", -1)));
    }

    private static List<String> defaultHosts(List<String> hosts) {
        List<String> out = new ArrayList<>(hosts.size());
        for (String h : hosts) {
            out.add(h.isBlank() ? "localhost" : h.strip());
        }
        return out;
    }

    private static void checkHost(String host) {
        if (host.startsWith("/") || host.startsWith("@")) {
            throw PgFerryException.fatal(
                    "Unix-domain socket host '" + host + "' is not supported (pgferry connects over TCP)",
                    "use host=localhost or the server's name or address");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || "/?#@[]\\'\"".indexOf(c) >= 0) {
                throw Dsn.malformed("invalid character in host name '" + DsnParser.safeName(host) + "'");
            }
        }
    }

    private static List<Integer> ports(String portList, int hostCount) {
        List<String> parts = portList == null ? List.of("") : split(portList);
        if (parts.size() != 1 && parts.size() != hostCount) {
            throw Dsn.malformed("'port' lists " + parts.size() + " ports for " + hostCount + " hosts");
        }
        List<Integer> ports = new ArrayList<>(hostCount);
        for (int i = 0; i < hostCount; i++) {
            String p = parts.get(parts.size() == 1 ? 0 : i).strip();
            if (p.isEmpty()) {
                ports.add(DEFAULT_PORT);
                continue;
            }
            if (!p.matches("\\d{1,5}") || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 65535) {
                throw Dsn.malformed("invalid port '" + DsnParser.safeName(p) + "' (expected 1 to 65535)");
            }
            ports.add(Integer.parseInt(p));
        }
        return ports;
    }

    /** libpq looks the password up per host as it tries them; pgjdbc takes one, so the first match wins. */
    static Optional<String> fromPassfile(
            Path passfile, List<String> hosts, List<Integer> ports, String dbname, String user) {
        for (int i = 0; i < hosts.size(); i++) {
            Optional<String> found = PgPass.lookup(passfile, hosts.get(i), ports.get(i), dbname, user);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }
}
