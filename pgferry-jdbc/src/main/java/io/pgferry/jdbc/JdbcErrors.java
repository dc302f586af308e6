package io.pgferry.jdbc;

import io.pgferry.core.PgFerryException;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns a destination's SQL error into a {@link PgFerryException} that says retriable or fatal. The message keeps
 * the SQLSTATE and the names the server reports (table, column, constraint) but never the server's text for data
 * errors, nor its DETAIL: those quote row values ("Key (id)=(7) already exists", "invalid input syntax ...: x").
 * See the PostgreSQL docs, "PostgreSQL Error Codes".
 */
public final class JdbcErrors {
    private JdbcErrors() {}

    /**
     * True for a lost connection, a shutdown, too many connections, a serialization failure, a deadlock, or a
     * destination that is read-only for now (SQLSTATE 25006: PostgreSQL's default_transaction_read_only, or an old
     * primary that a failover turned into a standby). A failover leaves the target read-only until the sync reaches
     * the new primary (a DSN with several hosts and target_session_attrs=read-write finds it on reconnecting), so the
     * sync retries, within its retry time, rather than stop. MySQL and MariaDB say read-only with error 1290 (the
     * server runs with {@code read_only} or {@code super_read_only}, as a replica or a demoted primary does) and 1836
     * (read-only mode), under SQLSTATE HY000: those count too.
     */
    public static boolean isRetriable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException) {
                return true;
            }
            if (t instanceof SQLException s && (isReadOnly(s) || isSqlServerReadOnly(s))) {
                return true;
            }
            if (t instanceof SQLException s && state(s) != null) {
                String state = state(s);
                if (state.startsWith("08")
                        || state.startsWith("57P")
                        || state.equals("53300")
                        || state.equals("40001")
                        || state.equals("40P01")
                        || state.equals("40000")
                        || state.equals("25006")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * @param doing what failed, naming the object ("apply to public.orders at db:5432/shop")
     */
    public static PgFerryException classify(SQLException e, String doing) {
        return classify(e, doing, null);
    }

    /**
     * For work that is not retried where it failed (an initial copy, which starts over): a failure that {@link
     * #classify(SQLException, String)} calls retriable is fatal here, its fix ending with {@code then} ("start the
     * sync again: the copy starts over").
     */
    public static PgFerryException notRetried(SQLException e, String doing, String then) {
        return classify(e, doing, then, DESTINATION);
    }

    /**
     * {@link #notRetried(SQLException, String, String)} for an error of another server than the destination: {@code
     * where} names it in the fix of a failure that may pass ("the source"; "the source and the target" when it is not
     * known which).
     */
    public static PgFerryException notRetried(SQLException e, String doing, String where, String then) {
        return classify(e, doing, then, where);
    }

    private static final String DESTINATION = "the destination";

    /**
     * {@link #classify(SQLException, String)} for an error of another server than the destination, which {@code
     * where} names in the fix ("the source").
     */
    public static PgFerryException classifyAt(SQLException e, String doing, String where) {
        return classify(e, doing, null, where);
    }

    private static PgFerryException classify(SQLException e, String doing, String then) {
        return classify(e, doing, then, DESTINATION);
    }

    private static PgFerryException classify(SQLException e, String doing, String then, String where) {
        String state = state(e) == null ? "" : state(e);
        StringBuilder problem = new StringBuilder(doing).append(": ");
        ServerErrorMessage server = serverMessage(e);
        if (server != null && !state.startsWith("22") && !state.startsWith("23")) {
            problem.append(oneLine(server.getMessage()));
        } else if (server != null) {
            problem.append(describeData(state, server));
        } else if (state.startsWith("08") || state.isEmpty()) {
            problem.append("connection failed");
        } else if (isSqlite(e)) {
            // SQLite's result code names the kind of failure; its message may quote values, so it is left out.
            problem.append("SQLite error ").append(e.getErrorCode());
        } else if (e.getErrorCode() != 0) {
            // MySQL and MariaDB error numbers; their messages quote values ("Duplicate entry '7'"), so are left out.
            problem.append("error ").append(e.getErrorCode());
        } else {
            problem.append("error");
        }
        if (!state.isEmpty()) {
            problem.append(" (SQLSTATE ").append(state).append(')');
        }
        String fix;
        if (state.equals("25006")) {
            fix = "the destination is read-only (a standby, or default_transaction_read_only): point the target at the"
                    + " primary (with several hosts, add target_session_attrs=read-write)";
        } else if (isReadOnly(e)) {
            problem.append(": the server is read-only");
            fix = "point the target at the primary, or SET GLOBAL read_only = OFF (and super_read_only) once it is one";
        } else if (isSqlServerReadOnly(e)) {
            problem.append(": the database is read-only");
            fix = "point the target at the primary replica, or ALTER DATABASE ... SET READ_WRITE once it is one";
        } else if (isRetriable(e)) {
            fix = then == null ? "it is retried; check " + where + " if it persists" : "check " + where;
        } else {
            return PgFerryException.fatal(problem.toString(), fix(state, where), e);
        }
        return then == null
                ? PgFerryException.retriable(
                        problem.toString(),
                        fix + (fix.startsWith("it is") ? "" : "; a running sync retries meanwhile"),
                        e)
                : PgFerryException.fatal(problem.toString(), fix + ", then " + then, e);
    }

    /**
     * MySQL's and MariaDB's read-only errors: 1290 (ER_OPTION_PREVENTS_STATEMENT) when the option it names is
     * read-only (it names others too, such as secure-file-priv), and 1836 (ER_READ_ONLY_MODE). Their messages quote no
     * values.
     */
    private static boolean isReadOnly(SQLException e) {
        if (isSqlite(e) || e.getSQLState() == null || !e.getSQLState().equals("HY000")) {
            return false;
        }
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        return e.getErrorCode() == 1836 || (e.getErrorCode() == 1290 && m.contains("read-only"));
    }

    /**
     * PostgreSQL's message of {@code e} or of the driver exception it wraps (a copy tells the source's failures from
     * the target's by wrapping them), or null.
     */
    private static ServerErrorMessage serverMessage(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PSQLException p && p.getServerErrorMessage() != null) {
                return p.getServerErrorMessage();
            }
        }
        return null;
    }

    /**
     * SQL Server's 3906, "Failed to update database ... because the database is read-only": a database set
     * READ_ONLY, or a secondary replica after a failover. Its message names the database, never values.
     */
    private static boolean isSqlServerReadOnly(SQLException e) {
        return e.getErrorCode() == 3906
                && e.getMessage() != null
                && e.getMessage().contains("because the database is read-only");
    }

    private static boolean isSqlite(SQLException e) {
        return e.getClass().getName().startsWith("org.sqlite.");
    }

    /**
     * The SQLSTATE, or for SQLite (whose driver sets none) one derived from its primary result code: BUSY and LOCKED
     * as a retriable transaction rollback, CONSTRAINT as an integrity violation, MISMATCH and TOOBIG as data errors
     * (see SQLite's "Result and Error Codes").
     */
    private static String state(SQLException e) {
        if (e.getSQLState() != null || !isSqlite(e)) {
            return e.getSQLState();
        }
        return switch (e.getErrorCode() & 0xff) {
            case 5, 6 -> "40000";
            case 19 -> "23000";
            case 18, 20, 25 -> "22000";
            case 13 -> "53100";
            case 8 -> "42501";
            default -> "HY000";
        };
    }

    private static String describeData(String state, ServerErrorMessage m) {
        StringBuilder s = new StringBuilder(state.startsWith("23") ? "constraint violation" : "value rejected");
        if (m.getConstraint() != null) {
            s.append(" on constraint ").append(m.getConstraint());
        }
        if (m.getTable() != null) {
            s.append(" of table ")
                    .append(m.getSchema() == null ? "" : m.getSchema() + ".")
                    .append(m.getTable());
        }
        if (m.getColumn() != null) {
            s.append(" column ").append(m.getColumn());
        }
        if (m.getDatatype() != null) {
            s.append(" type ").append(m.getDatatype());
        }
        return s.toString();
    }

    private static String fix(String state, String where) {
        if (state.startsWith("23")) {
            return "the destination holds rows the source does not, or a constraint the source lacks: compare the"
                    + " table with the source and resynchronise it";
        }
        if (state.startsWith("22")) {
            return "the destination column's type does not accept the source's values: give it the source's type";
        }
        if (state.equals("42501")) {
            // Also row-level security that would filter the statement (the apply runs with row_security = off).
            return "grant the destination role the privileges it lacks on the named object (for a row-level security"
                    + " policy: BYPASSRLS, or apply as the table's owner)";
        }
        if (state.startsWith("42")) {
            return "the destination table no longer matches the source: restore its definition";
        }
        if (state.equals("53200")) {
            // PostgreSQL says so when its lock table is full, whose size is set at server start.
            return where + " ran out of shared memory, most often for locks: raise max_locks_per_transaction there"
                    + " (it takes a restart), or hold fewer locks in other sessions";
        }
        if (state.equals("53100")) {
            return where + " has a full disk: free space there";
        }
        return "see the destination server's log";
    }

    /**
     * The server's own message of a PostgreSQL error and its SQLSTATE, on one line, for an error that names a
     * definition the server refused (not for data errors, whose messages may quote values): "function f(text) does
     * not exist (SQLSTATE 42883)". Without a server message, the driver's, on one line.
     */
    public static String definitionError(SQLException e) {
        ServerErrorMessage server = serverMessage(e);
        String text = server != null ? server.getMessage() : e.getMessage();
        return oneLine(text) + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")");
    }

    /**
     * Whether PostgreSQL refused a statement for what it says (syntax, an object it names that does not exist, a
     * feature or value it does not take: SQLSTATE classes 42, 0A, 22 and 3F), not for the role's rights (42501), a
     * read-only server (25006), a lost connection or the server's state, which {@link #classify} gives their own fix.
     */
    public static boolean refusesDefinition(SQLException e) {
        String state = e.getSQLState();
        if (state == null || state.equals("42501")) {
            return false;
        }
        return state.startsWith("42") || state.startsWith("0A") || state.startsWith("22") || state.startsWith("3F");
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\R", " ");
    }
}
