package io.pgferry.postgres.connect;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.catalog.Identifiers;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLException;
import org.postgresql.Driver;
import org.postgresql.PGConnection;

/**
 * Opens connections from a {@link Dsn} and is the one place that turns an {@link SQLException} into a
 * {@link PgFerryException} with a one-line problem and its fix.
 *
 * <p>SQLSTATE codes are from the PostgreSQL docs, Appendix A "PostgreSQL Error Codes"; connection-level codes (class
 * 08) also come from pgjdbc itself. Class 08, 53300 (too many connections), 55006 (object in use, e.g. a slot still
 * held by a previous walsender) and 57P01..57P03 (shutdown, starting up) are retriable; everything else is fatal.
 */
public final class Connections {
    private static final Driver DRIVER = new Driver();

    /**
     * The settings every pgferry session runs with, whatever the server, database or role sets, each where the server
     * has it ({@code current_setting(name, true)} is null for a name it does not know; a query, which a walsender also
     * runs in a logical replication connection), after {@link #NO_STATEMENT_TIMEOUT}, which must come first: the first
     * query of a new session may take longer than a short timeout allows.
     *
     * <ul>
     *   <li>{@code row_security = off}: a statement that a row-level security policy would filter for the role fails
     *       instead of reading or changing only the rows the policy shows (PostgreSQL docs, "row_security"). pgferry
     *       copies, scans, compares and applies whole tables, while logical decoding streams every row's changes
     *       whatever the policies.
     *   <li>IntervalStyle {@code postgres}, whose output reads back the same in any style, and extra_float_digits 3,
     *       whose float output reads back exact, as PostgreSQL's own subscriptions ask of the publisher (pgjdbc fixes
     *       DateStyle ISO itself). In the {@code sql_standard} style {@code -1 days -02:03:04} prints as {@code -1
     *       2:03:04}, which a session in the default style reads as {@code -1 days +02:03:04} (docs, "Interval
     *       Output"); with extra_float_digits 0, set for a database, 0.1 + 0.2 prints as 0.3 (docs, "Floating-Point
     *       Types").
     *   <li>No statement, lock, idle-in-transaction or transaction timeout, as pg_dump runs: a copy's statements and
     *       its snapshot's transaction last as long as the table takes, an index build as long as it takes, and a
     *       timeout set for the applications of the database would cancel them again at every retry.
     * </ul>
     */
    static final String SETTINGS = "SELECT pg_catalog.set_config(s.name, s.setting, false) FROM (VALUES"
            + " ('row_security', 'off'), ('IntervalStyle', 'postgres'), ('extra_float_digits', '3'), ('lock_timeout', '0'),"
            + " ('idle_in_transaction_session_timeout', '0'), ('transaction_timeout', '0'))"
            + " AS s(name, setting) WHERE pg_catalog.current_setting(s.name, true) IS NOT NULL";

    /** No statement timeout, set before {@link #SETTINGS}, on its own and at once. */
    static final String NO_STATEMENT_TIMEOUT = "SET statement_timeout = 0";

    private Connections() {}

    /** Opens an ordinary connection (auto-commit on), with pgferry's {@link #SETTINGS}. */
    public static Connection open(Dsn dsn) {
        Connection c = connect(dsn, dsn.jdbcProperties(), false);
        try (Statement st = c.createStatement()) {
            st.execute(NO_STATEMENT_TIMEOUT);
            st.execute(SETTINGS);
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw classify(e, dsn);
        }
    }

    /**
     * Opens an ordinary connection as {@link #open(Dsn)} does, then sets {@code settings} (name to value) for its
     * session.
     */
    public static Connection open(Dsn dsn, Map<String, String> settings) {
        Connection c = open(dsn);
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.set_config(?, ?, false)")) {
            for (Map.Entry<String, String> e : settings.entrySet()) {
                ps.setString(1, e.getKey());
                ps.setString(2, e.getValue());
                ps.executeQuery().close();
            }
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw classify(e, dsn);
        }
    }

    /**
     * Opens a logical replication connection ({@code replication=database}) for the walsender commands and
     * {@code getReplicationAPI()}, with pgferry's {@link #SETTINGS}: the walsender prints each value pgoutput sends
     * with this session's settings. The returned object is also a {@link Connection} (pgjdbc's
     * PgConnection); the caller closes it with {@code ((Connection) pg).close()}.
     */
    public static PGConnection openReplication(Dsn dsn) {
        Connection c = connect(dsn, dsn.replicationProperties(), true);
        try (Statement st = c.createStatement()) {
            st.execute(NO_STATEMENT_TIMEOUT);
            st.execute(SETTINGS);
            return c.unwrap(PGConnection.class);
        } catch (SQLException e) {
            closeQuietly(c);
            throw classify(e, dsn, true);
        }
    }

    private static Connection connect(Dsn dsn, Properties props, boolean replication) {
        try {
            Connection c = DRIVER.connect(dsn.jdbcUrl(), props);
            if (c == null) {
                throw new IllegalStateException("pgjdbc rejected its own URL form " + dsn.jdbcUrl());
            }
            return c;
        } catch (SQLException e) {
            throw classify(e, dsn, replication);
        }
    }

    /** Classifies an error from any statement on a connection opened from {@code dsn}. */
    public static PgFerryException classify(SQLException e, Dsn dsn) {
        return classify(e, dsn, false);
    }

    /**
     * Classifies {@code e}; {@code replication} says the error came from opening or using a replication connection,
     * where a permission error means the REPLICATION attribute is missing.
     */
    public static PgFerryException classify(SQLException e, Dsn dsn, boolean replication) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String server = oneLine(dsn.maskSecrets(e.getMessage()));
        String user = Identifiers.quote(dsn.user());
        String where = dsn.endpoints();
        switch (state) {
            case "28P01":
                return PgFerryException.fatal(
                        "password authentication failed for user " + user + " at " + where, passwordFix(dsn));
            case "08004":
                if (server.contains("no password was provided")) {
                    return PgFerryException.fatal(
                            "the server asks for a password for user " + user + " and none was given",
                            "put it in the DSN, PGPASSWORD or ~/.pgpass");
                }
                break;
            case "28000":
                if (server.contains("pg_hba.conf")) {
                    return PgFerryException.fatal(
                            "the server's pg_hba.conf rejects this connection (" + server + ")",
                            "add a matching 'host' line to pg_hba.conf for user " + user + " and database "
                                    + Identifiers.quote(dsn.dbname()) + ", then SELECT pg_reload_conf()");
                }
                if (server.contains("does not exist")) {
                    return PgFerryException.fatal(
                            "role " + user + " does not exist at " + where,
                            "check the user name in the DSN (or PGUSER), or CREATE ROLE " + user + " LOGIN");
                }
                return PgFerryException.fatal(
                        "authentication failed for user " + user + " at " + where + ": " + server, passwordFix(dsn));
            case "3D000":
                return PgFerryException.fatal(
                        "database " + Identifiers.quote(dsn.dbname()) + " does not exist at " + where,
                        "check dbname in the DSN, or CREATE DATABASE " + Identifiers.quote(dsn.dbname()));
            case "42501":
                if (replication || server.contains("replication") || server.contains("WAL sender")) {
                    return PgFerryException.fatal(
                            "role " + user + " may not use replication (" + server + ")", replicationFix(dsn));
                }
                if (server.contains("row-level security")) {
                    // A policy would filter the statement, which row_security = off (SETTINGS) turns into this error.
                    return PgFerryException.fatal(
                            "a row-level security policy applies to role " + user + ": " + server,
                            "run as the table's owner, a superuser or a role with BYPASSRLS (ALTER ROLE " + user
                                    + " BYPASSRLS)");
                }
                return PgFerryException.fatal(
                        "permission denied: " + server, "grant the missing privilege to role " + user);
            case "53300":
                return PgFerryException.retriable(
                        "the server has no free connection: " + server,
                        "stop idle clients, or raise max_connections / max_wal_senders and restart PostgreSQL",
                        e);
            case "53400":
                return PgFerryException.fatal("server limit reached: " + server, slotsFix());
            case "55006":
                return PgFerryException.retriable(
                        "object in use: " + server,
                        "stop the other consumer, or end its session with pg_terminate_backend(pid)",
                        e);
            case "55000":
                if (server.contains("wal_level")) {
                    return PgFerryException.fatal(server, walLevelFix());
                }
                break;
            case "57P01":
            case "57P02":
            case "57P03":
                return PgFerryException.retriable(
                        "the server at " + where + " is shutting down or starting up: " + server,
                        "wait for it to accept connections",
                        e);
            default:
                break;
        }
        if (state.startsWith("08") || isNetworkFailure(e)) {
            return connectionFailure(e, dsn, server);
        }
        return PgFerryException.fatal(
                "database error" + (state.isEmpty() ? "" : " " + state) + ": " + server,
                "see the PostgreSQL server log for details");
    }

    public static String walLevelFix() {
        return "ALTER SYSTEM SET wal_level = logical and restart PostgreSQL (Amazon RDS/Aurora:"
                + " rds.logical_replication = 1; Cloud SQL: cloudsql.logical_decoding = on; Azure: wal_level ="
                + " logical server parameter)";
    }

    /** The fix for a server whose replication slots are all in use. */
    public static String slotsFix() {
        return "drop unused replication slots (SELECT pg_drop_replication_slot('NAME')) or raise"
                + " max_replication_slots and restart PostgreSQL";
    }

    public static String replicationFix(Dsn dsn) {
        return "ALTER ROLE " + Identifiers.quote(dsn.user())
                + " WITH REPLICATION (Amazon RDS: GRANT rds_replication TO " + Identifiers.quote(dsn.user()) + ")";
    }

    private static String passwordFix(Dsn dsn) {
        return switch (dsn.passwordSource()) {
            case DSN -> "check the password in the DSN";
            case PGPASSWORD -> "check the password in PGPASSWORD";
            case PASSFILE -> "check the password in the password file (~/.pgpass or PGPASSFILE)";
            case NONE -> "give the password in the DSN, PGPASSWORD or ~/.pgpass";
        };
    }

    private static PgFerryException connectionFailure(SQLException e, Dsn dsn, String server) {
        Throwable root = rootCause(e);
        String where = dsn.endpoints();
        if (root instanceof UnknownHostException) {
            return PgFerryException.retriable(
                    "cannot resolve host " + where + ": unknown host", "check the host name in the DSN", e);
        }
        if (isUntrustedCertificate(e)) {
            return PgFerryException.fatal(
                    "TLS with " + where + " failed (sslmode=" + dsn.sslmode() + "): the server's certificate is not"
                            + " signed by a CA in " + rootCertificate(dsn),
                    "set sslrootcert to the file of the CA that signed the server's certificate");
        }
        if (server.contains("could not be verified by hostnameverifier")) {
            return PgFerryException.fatal(
                    "TLS with " + where + " failed (sslmode=" + dsn.sslmode() + "): the server's certificate does"
                            + " not name that host",
                    "connect by a name the certificate lists (its subjectAltName), or use sslmode=verify-ca to"
                            + " check the CA only");
        }
        boolean tls =
                root instanceof SSLException || server.toLowerCase(Locale.ROOT).contains("ssl");
        if (tls && isCutConnection(e)) {
            // The socket under TLS failed (the server crashed or restarted mid-handshake, a proxy dropped the
            // connection): the TLS settings are not at fault, and the next attempt may well succeed.
            return PgFerryException.retriable(
                    "cannot reach " + where + ": the connection was cut during TLS (" + server + ")",
                    "check that PostgreSQL is running there and that nothing between drops the connection",
                    e);
        }
        if (tls) {
            String detail = root instanceof SSLException ? oneLine(dsn.maskSecrets(root.getMessage())) : server;
            return PgFerryException.fatal(
                    "TLS with " + where + " failed (sslmode=" + dsn.sslmode() + "): " + detail,
                    "check sslmode and sslrootcert; verify-full needs a certificate naming the host, and a server"
                            + " with ssl=off needs sslmode=prefer or disable");
        }
        String detail = root instanceof ConnectException
                        || root instanceof NoRouteToHostException
                        || root instanceof SocketTimeoutException
                ? oneLine(String.valueOf(root.getMessage()))
                : server;
        return PgFerryException.retriable(
                "cannot reach " + where + ": " + detail,
                "check host/port and that PostgreSQL listens there (listen_addresses, firewall)",
                e);
    }

    /**
     * The JDK's trust manager rejected the server's chain: no path to a trusted CA (CertPathBuilderException), or a
     * chain that does not validate (CertPathValidatorException, CertificateException).
     */
    private static boolean isUntrustedCertificate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException
                    || t instanceof CertPathBuilderException
                    || t instanceof CertPathValidatorException) {
                return true;
            }
        }
        return false;
    }

    /** A socket failure (reset, broken pipe, end of stream) anywhere in the chain, as when the peer dies. */
    private static boolean isCutConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketException || t instanceof EOFException) {
                return true;
            }
        }
        return false;
    }

    /** Where pgjdbc looked for the trusted CA certificates, for messages. */
    private static String rootCertificate(Dsn dsn) {
        String file = dsn.jdbcProperties().getProperty("sslrootcert");
        if (file != null) {
            return "sslrootcert " + file;
        }
        if (dsn.jdbcProperties().containsKey("sslfactory")) {
            return "the JVM's trust store (sslrootcert=system)";
        }
        return "the default root certificate file ~/.postgresql/root.crt";
    }

    private static boolean isNetworkFailure(SQLException e) {
        Throwable root = rootCause(e);
        return root instanceof ConnectException
                || root instanceof NoRouteToHostException
                || root instanceof SocketTimeoutException
                || root instanceof UnknownHostException;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cur = t;
        while (cur.getCause() != null && cur.getCause() != cur) {
            cur = cur.getCause();
        }
        return cur;
    }

    /** Server messages can span lines (DETAIL, HINT, Position); a PgFerryException message is one line. */
    public static String oneLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        return s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /**
     * Closes {@code c} (null is allowed), ignoring a failure: for a connection that already failed, whose first
     * error is the one to report, or one being given up.
     */
    public static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // Already failing or given up: nothing is left to do with it.
        }
    }
}
