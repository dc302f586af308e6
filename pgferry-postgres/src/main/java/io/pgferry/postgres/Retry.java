package io.pgferry.postgres;

import java.sql.SQLException;

/**
 * Which SQL failures are worth a reconnect: the connection broke (SQLState class 08), the server ended the session
 * (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now), too many connections (53300), or the slot
 * is still held by the walsender of the connection just lost (55006 object in use). See the PostgreSQL docs,
 * "PostgreSQL Error Codes".
 */
final class Retry {
    private Retry() {}

    static boolean isTransient(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && isTransientState(s.getSQLState())) {
                return true;
            }
            if (t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    static boolean isTransientState(String state) {
        if (state == null) {
            return false;
        }
        return state.startsWith("08")
                || state.equals("57P01")
                || state.equals("57P02")
                || state.equals("57P03")
                || state.equals("53300")
                || state.equals("55006");
    }
}
