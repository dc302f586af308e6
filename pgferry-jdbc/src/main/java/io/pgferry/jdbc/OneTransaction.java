package io.pgferry.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done in one transaction of a JDBC session: all of it commits or, on an error, none of it does, and the session
 * is left in the auto-commit mode it had. A failed rollback is added to the error it follows, never thrown in its
 * place. Runs on the caller's thread, on a session no other thread uses meanwhile.
 */
public final class OneTransaction {
    private OneTransaction() {}

    /** What runs inside the transaction. */
    @FunctionalInterface
    public interface Work {
        void run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on {@code c} in one transaction; see the class comment. */
    public static void run(Connection c, Work work) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            work.run(c);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
                c.setAutoCommit(auto);
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        c.setAutoCommit(auto);
    }
}
