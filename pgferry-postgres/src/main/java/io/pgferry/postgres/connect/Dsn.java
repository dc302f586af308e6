package io.pgferry.postgres.connect;

import io.pgferry.core.PgFerryException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed PostgreSQL connection string: a {@code postgresql://} (or {@code postgres://}) URI or a libpq
 * {@code key=value} string, resolved with libpq's defaults, and its mapping to pgjdbc. Immutable.
 *
 * <p>Resolution follows libpq (PostgreSQL docs, libpq "Database Connection Control Functions",
 * "Environment Variables" and "The Password File"): a keyword missing from the string takes its PG* environment
 * variable, then the built-in default (host {@code localhost}, port 5432, user {@code PGUSER} or the OS user, dbname
 * = user, sslmode {@code prefer}). The password comes from the string, else {@code PGPASSWORD}, else the password
 * file ({@code passfile}, {@code PGPASSFILE} or {@code ~/.pgpass}), which is read again for every connection, as libpq
 * reads it: a password rotated in the file reaches the next connection (a reconnect) without a restart. Several hosts
 * ({@code h1:5432,h2:5433}) are tried in order like libpq; Unix-domain sockets are not supported (pgjdbc speaks TCP
 * only).
 *
 * <p>TLS follows libpq's meaning of sslmode, not pgjdbc's defaults: {@code prefer} (the default) tries TLS and falls
 * back to plain, neither verifying; {@code require} verifies the server certificate against a root certificate when
 * one is configured or {@code ~/.postgresql/root.crt} exists, as libpq does (sent to pgjdbc as {@code verify-ca});
 * {@code sslrootcert=system} uses the JVM's trust store and demands {@code verify-full}. pgjdbc reads client keys
 * ({@code sslkey}) in PKCS-8 DER or PKCS-12 form, not PEM.
 *
 * <p>{@link #toString()} and {@link #masked()} never contain the password or {@code sslpassword}.
 */
public final class Dsn {
    static final String EXAMPLES = "use postgresql://user@host:5432/db or 'host=... dbname=...'";
    /** Environment variable read by {@link #fromEnvironmentOr} when no DSN is passed on the command line. */
    public static final String SOURCE_DSN_VARIABLE = "PGFERRY_SOURCE_DSN";
    /** The environment variable a sync's target DSN is read from when none is given. */
    public static final String TARGET_DSN_VARIABLE = "PGFERRY_TARGET_DSN";

    static final String DEFAULT_APPLICATION_NAME = "pgferry";
    private static final String MASK = "****";
    /** The {@code user:password@} of a URI of any scheme: pgferry's targets are mysql://, sqlserver:// ... too. */
    private static final Pattern URI_PASSWORD =
            Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\\s]*):([^@\\s/]*)@");
    /**
     * {@code password=}, {@code sslpassword=}, any {@code *.password=} (Kafka's {@code ssl.truststore.password}) and a
     * JAAS configuration, {@code sasl.jaas.config=}, whose value holds a password, percent-encoded in a URI.
     */
    private static final Pattern KEYWORD_PASSWORD = Pattern.compile(
            "((?<![A-Za-z0-9_])(?:(?:ssl)?password|sasl\\.jaas\\.config)\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'?|[^\\s&;,)]*)");

    /** Where the password came from, for a precise fix when the server rejects it. */
    enum PasswordSource {
        NONE,
        DSN,
        PGPASSWORD,
        PASSFILE
    }

    private final Map<String, String> given;
    private final DsnEnvironment env;
    private final List<String> hosts;
    private final List<String> addresses;
    private final List<Integer> ports;
    private final String dbname;
    private final String user;
    private final String password;
    private final PasswordSource passwordSource;
    /** The password file, read again at each connection; null when the password comes from the string or env. */
    private final Path passfile;

    private final SortedMap<String, String> settings;
    private final String jdbcSslMode;

    Dsn(
            Map<String, String> given,
            DsnEnvironment env,
            List<String> hosts,
            List<String> addresses,
            List<Integer> ports,
            String dbname,
            String user,
            String password,
            PasswordSource passwordSource,
            Path passfile,
            Map<String, String> settings,
            String jdbcSslMode) {
        this.given = Map.copyOf(given);
        this.env = env;
        this.hosts = List.copyOf(hosts);
        this.addresses = List.copyOf(addresses);
        this.ports = List.copyOf(ports);
        this.dbname = dbname;
        this.user = user;
        this.password = password;
        this.passwordSource = passwordSource;
        this.passfile = passfile;
        this.settings = new TreeMap<>(settings);
        this.jdbcSslMode = jdbcSslMode;
    }

    /**
     * Parses a URI or key=value string, resolving defaults from this process's environment like libpq.
     *
     * @throws PgFerryException (fatal) "malformed DSN: why" with an example; the message never holds the password
     */
    public static Dsn parse(String text) {
        return parse(text, DsnEnvironment.system());
    }

    static Dsn parse(String text, DsnEnvironment env) {
        if (text == null || text.isBlank()) {
            throw malformed("the connection string is empty");
        }
        Map<String, String> given;
        try {
            given = DsnParser.parse(text.strip());
        } catch (DsnParser.SyntaxException e) {
            throw malformed(e.getMessage());
        }
        return DsnResolver.resolve(given, env);
    }

    /**
     * {@code text} (a URI or key=value string) with {@code password} added, as a key=value string that libpq and
     * {@link #parse} read alike; for a password kept in a file of its own beside a configuration that names the
     * server.
     *
     * @throws PgFerryException (fatal) when {@code text} is malformed or holds a password already
     */
    public static String withPassword(String text, String password) {
        return withKeyword(text, "password", password);
    }

    /**
     * {@code text} with {@code sslpassword} (the passphrase of an encrypted client key) added, as {@link
     * #withPassword} adds a password.
     *
     * @throws PgFerryException (fatal) when {@code text} is malformed or holds an sslpassword already
     */
    public static String withSslPassword(String text, String sslpassword) {
        return withKeyword(text, "sslpassword", sslpassword);
    }

    /**
     * The keywords {@code text} (a URI or key=value string) gives, as libpq names them ({@code host}, {@code
     * password}, {@code sslpassword} ...): to refuse a secret where it would be shown.
     *
     * @throws PgFerryException (fatal) when {@code text} is malformed
     */
    public static java.util.Set<String> keywordsIn(String text) {
        return given(text).keySet();
    }

    private static Map<String, String> given(String text) {
        try {
            return DsnParser.parse(text == null ? "" : text.strip());
        } catch (DsnParser.SyntaxException e) {
            throw malformed(e.getMessage());
        }
    }

    private static String withKeyword(String text, String keyword, String value) {
        Map<String, String> given = given(text);
        if (given.containsKey(keyword)) {
            throw PgFerryException.fatal(
                    "the connection string holds a " + keyword + " and a " + keyword + " is given apart too",
                    "keep the " + keyword + " in one place: remove it from the connection string or drop the other");
        }
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, String> e : given.entrySet()) {
            keyword(s, e.getKey(), e.getValue());
        }
        keyword(s, keyword, value);
        return s.toString();
    }

    /**
     * The DSN given on the command line, else the one in {@value #SOURCE_DSN_VARIABLE}.
     *
     * @throws PgFerryException (fatal) when neither is set, or the one used is malformed
     */
    public static Dsn fromEnvironmentOr(String cliValue) {
        return fromEnvironmentOr(cliValue, DsnEnvironment.system());
    }

    static Dsn fromEnvironmentOr(String cliValue, DsnEnvironment env) {
        return fromEnvironmentOr(cliValue, SOURCE_DSN_VARIABLE, "source", env);
    }

    /**
     * The DSN given, else the one in environment variable {@code variable}.
     *
     * @param role what the database is, for the message ("source", "target")
     * @throws PgFerryException (fatal) when neither is set, or the one used is malformed
     */
    public static Dsn fromEnvironmentOr(String cliValue, String variable, String role) {
        return fromEnvironmentOr(cliValue, variable, role, DsnEnvironment.system());
    }

    static Dsn fromEnvironmentOr(String cliValue, String variable, String role, DsnEnvironment env) {
        if (cliValue != null && !cliValue.isBlank()) {
            return parse(cliValue, env);
        }
        String fromEnv = env.get(variable);
        if (fromEnv == null || fromEnv.isBlank()) {
            throw PgFerryException.fatal(
                    "no " + role + " database given",
                    "pass --" + role + " postgresql://user@host:5432/db or set " + variable);
        }
        return parse(fromEnv, env);
    }

    static PgFerryException malformed(String why) {
        return PgFerryException.fatal("malformed DSN: " + why, EXAMPLES);
    }

    /** The same connection to another database; the password is looked up again as libpq would. */
    public Dsn withDbname(String otherDbname) {
        Objects.requireNonNull(otherDbname, "otherDbname");
        Map<String, String> changed = new LinkedHashMap<>(given);
        changed.put("dbname", otherDbname);
        return DsnResolver.resolve(changed, env);
    }

    /** The first host name (for messages); see {@link #endpoints()} for all. */
    public String host() {
        return hosts.get(0);
    }

    /** The first host's port. */
    public int port() {
        return ports.get(0);
    }

    /** {@code host:port[,host:port...]}, IPv6 addresses in brackets; for messages and logs. */
    public String endpoints() {
        return joinEndpoints(hosts);
    }

    public String dbname() {
        return dbname;
    }

    public String user() {
        return user;
    }

    public boolean hasPassword() {
        return password() != null;
    }

    PasswordSource passwordSource() {
        if (passfile == null) {
            return passwordSource;
        }
        return password() == null ? PasswordSource.NONE : PasswordSource.PASSFILE;
    }

    /**
     * The password to connect with now: the one given, or the password file's entry as the file holds it now (the
     * one found at parse time when the file cannot be read any more).
     */
    private String password() {
        if (passfile == null) {
            return password;
        }
        return DsnResolver.fromPassfile(passfile, hosts, ports, dbname, user).orElse(password);
    }

    /** sslmode as libpq reads it (given, PGSSLMODE, or {@code prefer}). */
    public String sslmode() {
        return settings.getOrDefault("sslmode", "prefer");
    }

    public String applicationName() {
        String name = settings.get("application_name");
        if (name == null) {
            name = settings.getOrDefault("fallback_application_name", DEFAULT_APPLICATION_NAME);
        }
        return name;
    }

    /** {@code jdbc:postgresql://host:port[,...]/dbname}; user, password and options are in {@link #jdbcProperties}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + joinEndpoints(addresses) + "/"
                + URLEncoder.encode(dbname, StandardCharsets.UTF_8);
    }

    /** pgjdbc connection properties for {@link #jdbcUrl()}, including the password: never log them. */
    public Properties jdbcProperties() {
        Properties p = new Properties();
        p.setProperty("user", user);
        String pw = password();
        if (pw != null) {
            p.setProperty("password", pw);
        }
        // Always set sslmode explicitly: pgjdbc turns a bare ssl=true into verify-full, unlike libpq.
        p.setProperty("sslmode", jdbcSslMode);
        if (jdbcSslMode.equals("disable")) {
            p.setProperty("ssl", "false");
        } else if (!jdbcSslMode.equals("allow") && !jdbcSslMode.equals("prefer")) {
            p.setProperty("ssl", "true");
        }
        if (jdbcSslMode.equals("verify-full") && !addresses.equals(hosts)) {
            // pgjdbc connects to hostaddr and would check the certificate against it; libpq checks host.
            p.setProperty("sslhostnameverifier", HostaddrHostnameVerifier.class.getName());
            p.setProperty(HostaddrHostnameVerifier.HOST_NAMES, HostaddrHostnameVerifier.encode(addresses, hosts));
        }
        String rootCert = settings.get("sslrootcert");
        if ("system".equals(rootCert)) {
            p.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
        } else if (rootCert != null) {
            p.setProperty("sslrootcert", rootCert);
        }
        copy(p, "sslcert", "sslcert");
        copy(p, "sslkey", "sslkey");
        copy(p, "sslpassword", "sslpassword");
        copy(p, "sslnegotiation", "sslNegotiation");
        copy(p, "connect_timeout", "connectTimeout");
        copy(p, "options", "options");
        copy(p, "channel_binding", "channelBinding");
        copy(p, "gssencmode", "gssEncMode");
        copy(p, "krbsrvname", "kerberosServerName");
        copy(p, "gsslib", "gsslib");
        p.setProperty("ApplicationName", applicationName());
        String attrs = settings.get("target_session_attrs");
        if (attrs != null) {
            p.setProperty("targetServerType", DsnKeys.TARGET_SESSION_ATTRS.get(attrs));
        }
        String balance = settings.get("load_balance_hosts");
        if (balance != null) {
            p.setProperty("loadBalanceHosts", Boolean.toString(balance.equals("random")));
        }
        // libpq enables TCP keepalives unless keepalives=0; pgjdbc defaults to off.
        p.setProperty("tcpKeepAlive", Boolean.toString(!"0".equals(settings.get("keepalives"))));
        // pgjdbc copies the server's DETAIL and WHERE into its exceptions by default: "Failing row contains (...)",
        // a COPY line. Row values must never reach a log or an error, and an exception's causes get logged.
        p.setProperty("logServerErrorDetail", "false");
        return p;
    }

    /**
     * {@link #jdbcProperties()} for a logical replication connection (PostgreSQL docs, "Streaming Replication
     * Protocol": {@code replication=database}); the walsender accepts only the simple query protocol.
     */
    public Properties replicationProperties() {
        Properties p = jdbcProperties();
        p.setProperty("replication", "database");
        p.setProperty("preferQueryMode", "simple");
        p.setProperty("assumeMinServerVersion", "10");
        return p;
    }

    /**
     * This DSN as a libpq key/value connection string, password included, for a server that connects on its own (the
     * CONNECTION of CREATE SUBSCRIPTION). Values are single-quoted with backslash escapes, as libpq reads them (libpq
     * docs, "Keyword/Value Connection Strings"). Never log it.
     */
    public String libpqConninfo() {
        StringBuilder s = new StringBuilder();
        keyword(s, "host", String.join(",", hosts));
        if (!addresses.equals(hosts)) {
            keyword(s, "hostaddr", String.join(",", addresses));
        }
        keyword(s, "port", ports.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
        keyword(s, "dbname", dbname);
        keyword(s, "user", user);
        String pw = password();
        if (pw != null) {
            keyword(s, "password", pw);
        }
        for (Map.Entry<String, String> e : settings.entrySet()) {
            keyword(s, e.getKey(), e.getValue());
        }
        return s.toString();
    }

    private static void keyword(StringBuilder s, String key, String value) {
        if (s.length() > 0) {
            s.append(' ');
        }
        s.append(key)
                .append("='")
                .append(value.replace("\\", "\\\\").replace("'", "\\'"))
                .append('\'');
    }

    /** A {@code postgresql://} URI for this DSN with the password and sslpassword replaced by {@code ****}. */
    public String masked() {
        StringBuilder out = new StringBuilder(DsnParser.URI_PREFIX);
        out.append(encode(user));
        if (password != null && passwordSource == PasswordSource.DSN) {
            out.append(':').append(MASK);
        }
        out.append('@').append(endpoints()).append('/').append(encode(dbname));
        char separator = '?';
        if (!addresses.equals(hosts)) {
            out.append(separator).append("hostaddr=").append(encode(String.join(",", addresses)));
            separator = '&';
        }
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String value = e.getKey().equals("sslpassword") ? MASK : encode(e.getValue());
            out.append(separator).append(e.getKey()).append('=').append(value);
            separator = '&';
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return masked();
    }

    /**
     * Replaces passwords in {@code text} with {@code ****}: the {@code user:password@} of URIs of any scheme, {@code
     * password=} / {@code sslpassword=} keywords (also as the end of a dotted name) and {@code sasl.jaas.config=}
     * values. Use it on any message that might quote a connection string.
     */
    public static String maskSecretsIn(String text) {
        if (text == null) {
            return null;
        }
        String masked = URI_PASSWORD.matcher(text).replaceAll("$1:" + MASK + "@");
        Matcher m = KEYWORD_PASSWORD.matcher(masked);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK));
    }

    /**
     * {@link #maskSecretsIn} plus every literal occurrence of this DSN's password and sslpassword (when at least 4
     * characters long, so that short ones do not garble the text).
     */
    public String maskSecrets(String text) {
        String masked = maskSecretsIn(text);
        if (masked == null) {
            return null;
        }
        for (String secret : new String[] {password, settings.get("sslpassword")}) {
            if (secret != null && secret.length() >= 4) {
                masked = masked.replace(secret, MASK);
            }
        }
        return masked;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dsn other
                && hosts.equals(other.hosts)
                && addresses.equals(other.addresses)
                && ports.equals(other.ports)
                && dbname.equals(other.dbname)
                && user.equals(other.user)
                && Objects.equals(password, other.password)
                && settings.equals(other.settings)
                && jdbcSslMode.equals(other.jdbcSslMode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(hosts, addresses, ports, dbname, user, settings);
    }

    private void copy(Properties p, String key, String property) {
        String value = settings.get(key);
        if (value != null) {
            p.setProperty(property, value);
        }
    }

    private String joinEndpoints(List<String> names) {
        List<String> parts = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String h = names.get(i);
            parts.add((h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + ports.get(i));
        }
        return String.join(",", parts);
    }

    /** Percent-encodes all but RFC 3986 unreserved characters, so the result parses back unchanged. */
    private static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
                out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
