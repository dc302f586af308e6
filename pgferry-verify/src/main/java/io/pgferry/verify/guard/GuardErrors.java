package io.pgferry.verify.guard;

import io.pgferry.core.PgFerryException;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns errors of the syncguard functions into {@link PgFerryException}s. The functions raise their own errors with
 * a message starting {@code syncguard:} and a hint that is the fix; everything else goes to
 * {@link Connections#classify}.
 */
public final class GuardErrors {
    private GuardErrors() {}

    /** The error of a statement on syncguard objects in the database of {@code dsn}, with its fix. */
    public static PgFerryException of(SQLException e, Dsn dsn) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            String message = m.getMessage() == null ? "" : m.getMessage();
            if (message.startsWith("syncguard: ")) {
                String hint = m.getHint();
                return PgFerryException.fatal(
                        message.substring("syncguard: ".length()) + " (database " + dsn.dbname() + ")",
                        hint == null ? "see syncguard.register_table in docs/verify.md" : hint,
                        e);
            }
            if ("3F000".equals(p.getSQLState()) || "42883".equals(p.getSQLState())) {
                return notInstalled(dsn);
            }
        }
        return Connections.classify(e, dsn);
    }

    public static PgFerryException notInstalled(Dsn dsn) {
        return PgFerryException.fatal(
                "syncguard is not installed in database " + dsn.dbname() + " at " + dsn.endpoints(),
                "install syncguard on it first (" + GuardSchema.HOW_TO_INSTALL + ")");
    }
}
