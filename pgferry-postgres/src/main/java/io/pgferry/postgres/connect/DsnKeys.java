package io.pgferry.postgres.connect;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The libpq connection keywords pgferry knows, the environment variable that supplies each one's default, and the
 * libpq keywords it refuses because the JDBC driver cannot honour them. See the PostgreSQL docs, libpq "Parameter Key
 * Words" and "Environment Variables".
 *
 * <p>Refusing is deliberate: silently ignoring, say, {@code sslcrl} would weaken a connection the user believes is
 * checked. The TCP tuning keywords ({@code keepalives_idle} and friends) are accepted and not applied, because the
 * JDK socket API pgjdbc uses does not expose them; they change timing, never what is checked or sent.
 */
final class DsnKeys {
    /** Keywords accepted and deliberately not applied (see class comment). */
    static final Set<String> IGNORED =
            Set.of("keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout");

    /**
     * Accepted keywords, each mapped to its libpq environment variable, or null when it has none. Declared after
     * {@link #IGNORED}, which it includes.
     */
    static final Map<String, String> SUPPORTED = supported();

    /** libpq keywords refused, with the reason shown to the user. */
    static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("service", "service files (pg_service.conf) are not supported; write the settings into the DSN"),
            Map.entry("replication", "pgferry opens replication connections itself; remove 'replication'"),
            Map.entry("requiressl", "'requiressl' is obsolete; use sslmode=require"),
            Map.entry("sslcrl", "certificate revocation lists are not supported by the JDBC driver"),
            Map.entry("sslcrldir", "certificate revocation lists are not supported by the JDBC driver"),
            Map.entry("sslcertmode", "'sslcertmode' is not supported by the JDBC driver"),
            Map.entry("sslcompression", "'sslcompression' is not supported by the JDBC driver"),
            Map.entry("sslsni", "'sslsni' is not supported by the JDBC driver"),
            Map.entry("ssl_min_protocol_version", "TLS protocol bounds are not supported by the JDBC driver"),
            Map.entry("ssl_max_protocol_version", "TLS protocol bounds are not supported by the JDBC driver"),
            Map.entry("min_protocol_version", "protocol version bounds are not supported by the JDBC driver"),
            Map.entry("max_protocol_version", "protocol version bounds are not supported by the JDBC driver"),
            Map.entry("require_auth", "'require_auth' is not supported by the JDBC driver"),
            Map.entry("requirepeer", "'requirepeer' needs a Unix-domain socket, which pgferry does not use"),
            Map.entry("gssdelegation", "'gssdelegation' is not supported by the JDBC driver"),
            Map.entry("oauth_issuer", "OAuth authentication is not supported by the JDBC driver"),
            Map.entry("oauth_client_id", "OAuth authentication is not supported by the JDBC driver"),
            Map.entry("oauth_client_secret", "OAuth authentication is not supported by the JDBC driver"),
            Map.entry("oauth_scope", "OAuth authentication is not supported by the JDBC driver"));

    static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    /** libpq target_session_attrs mapped to pgjdbc targetServerType (pgjdbc judges "primary" by read-only state). */
    static final Map<String, String> TARGET_SESSION_ATTRS = Map.of(
            "any", "any",
            "read-write", "primary",
            "primary", "primary",
            "read-only", "secondary",
            "standby", "secondary",
            "prefer-standby", "preferSecondary");

    private DsnKeys() {}

    private static Map<String, String> supported() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("host", "PGHOST");
        m.put("hostaddr", "PGHOSTADDR");
        m.put("port", "PGPORT");
        m.put("dbname", "PGDATABASE");
        m.put("user", "PGUSER");
        m.put("password", "PGPASSWORD");
        m.put("passfile", "PGPASSFILE");
        m.put("sslmode", "PGSSLMODE");
        m.put("sslrootcert", "PGSSLROOTCERT");
        m.put("sslcert", "PGSSLCERT");
        m.put("sslkey", "PGSSLKEY");
        m.put("sslpassword", null);
        m.put("sslnegotiation", "PGSSLNEGOTIATION");
        m.put("connect_timeout", "PGCONNECT_TIMEOUT");
        m.put("application_name", "PGAPPNAME");
        m.put("fallback_application_name", null);
        m.put("options", "PGOPTIONS");
        m.put("target_session_attrs", "PGTARGETSESSIONATTRS");
        m.put("load_balance_hosts", "PGLOADBALANCEHOSTS");
        m.put("keepalives", null);
        m.put("channel_binding", "PGCHANNELBINDING");
        m.put("gssencmode", "PGGSSENCMODE");
        m.put("krbsrvname", "PGKRBSRVNAME");
        m.put("gsslib", "PGGSSLIB");
        m.put("client_encoding", "PGCLIENTENCODING");
        IGNORED.forEach(k -> m.put(k, null));
        return Collections.unmodifiableMap(m);
    }
}
