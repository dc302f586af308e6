package io.pgferry.jdbc.foreign;

import io.pgferry.core.PgFerryException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses the target URIs of destinations reached over JDBC other than PostgreSQL:
 *
 * <ul>
 *   <li>{@code mysql://user[:password]@host[:port]/database[?key=value&...]} and {@code mariadb://...}, both through
 *       MariaDB Connector/J. Keys: {@code sslmode} ({@code disable}, {@code trust}, {@code verify-ca}, {@code
 *       verify-full}), {@code sslrootcert} (the CA certificate file), {@code sslkeystore} (a PKCS#12 or JKS file
 *       holding the client certificate and its key, for users created {@code REQUIRE X509}; the driver reads no PEM
 *       key), {@code sslkeystore_password_file} (a file holding that store's password), {@code password_file},
 *       {@code connect_timeout} (seconds), {@code local_infile} ({@code true} lets the initial copy use {@code LOAD
 *       DATA LOCAL INFILE} when the server allows it; the default).
 *   <li>{@code sqlserver://user[:password]@host[:port]/database[?key=value&...]} through mssql-jdbc. Keys: {@code
 *       sslmode} ({@code disable}; {@code trust}: encrypted, any certificate; {@code verify-full}, the default:
 *       encrypted, certificate and host name checked), {@code password_file}, {@code connect_timeout} (seconds).
 *       The driver's own {@code jdbc:sqlserver://host:port;databaseName=db;...} form is taken as it is, its password
 *       from {@code PGFERRY_TARGET_PASSWORD} when it names none.
 *   <li>{@code sqlite:/path/file.db}, {@code sqlite:relative.db} or {@code sqlite:///path/file.db}. Keys: {@code
 *       synchronous} ({@code full}, the default, or {@code normal}), {@code busy_timeout} (milliseconds).
 * </ul>
 *
 * <p>The password comes from the URI, else from {@code password_file}, else from the environment variable {@code
 * PGFERRY_TARGET_PASSWORD}. Unknown keys are refused: a key silently ignored could weaken a connection the user
 * believes is checked.
 */
public final class JdbcTargetUri {
    /** The environment variable holding the target's password when the URI has none. */
    public static final String PASSWORD_VARIABLE = "PGFERRY_TARGET_PASSWORD";

    private static final Set<String> MYSQL_KEYS = Set.of(
            "sslmode",
            "sslrootcert",
            "sslkeystore",
            "sslkeystore_password_file",
            "password_file",
            "connect_timeout",
            "local_infile");
    private static final Set<String> SQLITE_KEYS = Set.of("synchronous", "busy_timeout");
    private static final Set<String> SQLSERVER_KEYS = Set.of("sslmode", "password_file", "connect_timeout");
    private static final Map<String, String> SSL_MODES =
            Map.of("disable", "disable", "trust", "trust", "verify-ca", "verify-ca", "verify-full", "verify-full");

    private JdbcTargetUri() {}

    /** Whether {@code uri} names a destination this class parses. */
    public static boolean handles(String uri) {
        String s = uri.toLowerCase(Locale.ROOT);
        return s.startsWith("mysql://")
                || s.startsWith("mariadb://")
                || s.startsWith("sqlite:")
                || s.startsWith("sqlserver://")
                || s.startsWith("jdbc:sqlserver://");
    }

    /** @param env the environment (for the password variable) */
    public static JdbcTarget parse(String uri, Map<String, String> env) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sqlite:")) {
            return sqlite(uri);
        }
        if (lower.startsWith("mysql://") || lower.startsWith("mariadb://")) {
            return mysql(uri, env);
        }
        if (lower.startsWith("sqlserver://")) {
            return sqlserver(uri, env);
        }
        if (lower.startsWith("jdbc:sqlserver://")) {
            return sqlserverJdbc(uri, env);
        }
        throw JdbcTarget.bad(
                "unsupported target URI scheme in " + redact(uri),
                "use postgresql://, mysql://, mariadb://, sqlite:, sqlserver:// or kafka://");
    }

    private static JdbcTarget sqlite(String uri) {
        String rest = uri.substring("sqlite:".length());
        int q = rest.indexOf('?');
        Map<String, String> params = params(q < 0 ? "" : rest.substring(q + 1), SQLITE_KEYS, uri);
        String path = q < 0 ? rest : rest.substring(0, q);
        if (path.startsWith("//")) {
            path = path.substring(2);
        }
        if (path.isEmpty()) {
            throw JdbcTarget.bad("the SQLite target URI " + uri + " names no file", "write sqlite:/path/to/file.db");
        }
        String sync = params.getOrDefault("synchronous", "full").toUpperCase(Locale.ROOT);
        if (!sync.equals("FULL") && !sync.equals("NORMAL")) {
            throw JdbcTarget.bad(
                    "synchronous=" + params.get("synchronous") + " in the SQLite target URI is not" + " supported",
                    "use synchronous=full (durable at commit) or synchronous=normal");
        }
        Properties p = new Properties();
        p.setProperty("journal_mode", "WAL");
        p.setProperty("busy_timeout", number(params.getOrDefault("busy_timeout", "60000"), "busy_timeout"));
        return new JdbcTarget(
                JdbcTarget.Kind.SQLITE,
                "jdbc:sqlite:" + Path.of(path).toAbsolutePath(),
                p,
                null,
                sync,
                "sqlite:" + path);
    }

    private static JdbcTarget mysql(String uri, Map<String, String> env) {
        JdbcTarget.Kind kind =
                uri.toLowerCase(Locale.ROOT).startsWith("mysql") ? JdbcTarget.Kind.MYSQL : JdbcTarget.Kind.MARIADB;
        String rest = uri.substring(uri.indexOf("://") + 3);
        int q = rest.indexOf('?');
        Map<String, String> params = params(q < 0 ? "" : rest.substring(q + 1), MYSQL_KEYS, redact(uri));
        Authority a = authority(q < 0 ? rest : rest.substring(0, q), kind.scheme(), uri, params, env);
        String hostPort = a.hostPort();
        String database = a.database();
        Properties p = a.credentials();
        String mode = params.getOrDefault("sslmode", "disable");
        if (!SSL_MODES.containsKey(mode)) {
            throw JdbcTarget.bad(
                    "sslmode=" + mode + " in the target URI is not supported",
                    "use one of disable, trust, verify-ca, verify-full");
        }
        p.setProperty("sslMode", SSL_MODES.get(mode));
        if (params.containsKey("sslrootcert")) {
            p.setProperty("serverSslCert", params.get("sslrootcert"));
        }
        if (params.containsKey("sslkeystore_password_file") && !params.containsKey("sslkeystore")) {
            throw JdbcTarget.bad(
                    "sslkeystore_password_file in the target URI names the password of no key store",
                    "add sslkeystore=/path/client.p12, or remove sslkeystore_password_file");
        }
        if (params.containsKey("sslkeystore")) {
            if (mode.equals("disable")) {
                throw JdbcTarget.bad(
                        "sslkeystore in the target URI needs TLS, and sslmode is disable",
                        "add sslmode=verify-full (or verify-ca, trust) to the target URI");
            }
            ClientKeyStore.check(p, params.get("sslkeystore"), params.get("sslkeystore_password_file"));
        }
        if (params.containsKey("connect_timeout")) {
            p.setProperty(
                    "connectTimeout",
                    String.valueOf(Long.parseLong(number(params.get("connect_timeout"), "connect_timeout")) * 1000));
        }
        String infile = params.getOrDefault("local_infile", "true");
        if (!infile.equals("true") && !infile.equals("false")) {
            throw JdbcTarget.bad(
                    "local_infile=" + infile + " in the target URI is not supported",
                    "use local_infile=true (the initial copy may use LOAD DATA LOCAL INFILE) or local_infile=false");
        }
        p.setProperty("allowLocalInfile", infile);
        String where = kind.scheme() + "://" + hostPort + "/" + database;
        return new JdbcTarget(
                kind, "jdbc:mariadb://" + hostPort + "/" + encodePath(database), p, database, null, where);
    }

    private static JdbcTarget sqlserver(String uri, Map<String, String> env) {
        String rest = uri.substring(uri.indexOf("://") + 3);
        int q = rest.indexOf('?');
        Map<String, String> params = params(q < 0 ? "" : rest.substring(q + 1), SQLSERVER_KEYS, redact(uri));
        Authority a = authority(q < 0 ? rest : rest.substring(0, q), "sqlserver", uri, params, env);
        Properties p = a.credentials();
        String mode = params.getOrDefault("sslmode", "verify-full");
        switch (mode) {
            case "disable" -> p.setProperty("encrypt", "false");
            case "trust" -> {
                p.setProperty("encrypt", "true");
                p.setProperty("trustServerCertificate", "true");
            }
            case "verify-full" -> {
                p.setProperty("encrypt", "true");
                p.setProperty("trustServerCertificate", "false");
            }
            default -> throw JdbcTarget.bad(
                    "sslmode=" + mode + " in the target URI is not supported for SQL Server",
                    "use one of disable, trust, verify-full");
        }
        if (params.containsKey("connect_timeout")) {
            p.setProperty("loginTimeout", number(params.get("connect_timeout"), "connect_timeout"));
        }
        p.setProperty("databaseName", a.database());
        p.setProperty("sendStringParametersAsUnicode", "true");
        return new JdbcTarget(
                JdbcTarget.Kind.SQLSERVER,
                "jdbc:sqlserver://" + a.hostPort(),
                p,
                a.database(),
                null,
                "sqlserver://" + a.hostPort() + "/" + a.database());
    }

    /** The driver's own URL, taken as it is; only a missing password is filled in, from the environment. */
    private static JdbcTarget sqlserverJdbc(String uri, Map<String, String> env) {
        Properties p = new Properties();
        if (!uri.toLowerCase(Locale.ROOT).contains(";password=") && env.containsKey(PASSWORD_VARIABLE)) {
            p.setProperty("password", env.get(PASSWORD_VARIABLE));
        }
        String database = null;
        for (String part : uri.split(";")) {
            if (part.toLowerCase(Locale.ROOT).startsWith("databasename=")) {
                database = part.substring(part.indexOf('=') + 1);
            }
        }
        if (database == null) {
            throw JdbcTarget.bad(
                    "the SQL Server URL names no database", "add ;databaseName=yourdb to the jdbc:sqlserver:// URL");
        }
        String hostPort = uri.substring("jdbc:sqlserver://".length()).split(";", 2)[0];
        return new JdbcTarget(
                JdbcTarget.Kind.SQLSERVER, uri, p, database, null, "sqlserver://" + hostPort + "/" + database);
    }

    /** {@code user[:password]@host[:port]/database}, with the password from a file or the environment if absent. */
    private record Authority(String hostPort, String database, Properties credentials) {}

    private static Authority authority(
            String main, String scheme, String uri, Map<String, String> params, Map<String, String> env) {
        int at = main.lastIndexOf('@');
        String user = null;
        String password = null;
        if (at >= 0) {
            String info = main.substring(0, at);
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
            main = main.substring(at + 1);
        }
        int slash = main.indexOf('/');
        String hostPort = slash < 0 ? main : main.substring(0, slash);
        String database = slash < 0 ? "" : decode(main.substring(slash + 1));
        if (hostPort.isEmpty() || database.isEmpty()) {
            throw JdbcTarget.bad(
                    "the target URI " + redact(uri) + " needs a host and a database",
                    "write " + scheme + "://user@host/database");
        }
        if (password == null && params.containsKey("password_file")) {
            password = readSecret(params.get("password_file"), "target password file");
        }
        if (password == null) {
            password = env.get(PASSWORD_VARIABLE);
        }
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return new Authority(hostPort, database, p);
    }

    private static Map<String, String> params(String query, Set<String> known, String uri) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!known.contains(key)) {
                throw JdbcTarget.bad(
                        "unknown key '" + key + "' in the target URI " + uri,
                        "remove it; known keys: " + String.join(", ", new TreeSet<>(known)));
            }
            out.put(key, value);
        }
        return out;
    }

    private static String number(String v, String key) {
        if (!v.matches("[0-9]{1,9}")) {
            throw JdbcTarget.bad(
                    key + " in the target URI is not a whole number", "give a number, e.g. " + key + "=10");
        }
        return v;
    }

    /** The first line of a file holding a secret; {@code what} names the file in the error. */
    static String readSecret(String file, String what) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw PgFerryException.fatal(
                    "could not read the " + what + " " + file + " ("
                            + e.getClass().getSimpleName() + ")",
                    "check the path and its permissions",
                    e);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encodePath(String database) {
        return java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The URI without a password in its user information. */
    static String redact(String uri) {
        return uri.replaceFirst("^([a-zA-Z]+://[^:/@]*):[^@/]*@", "$1:***@");
    }
}
