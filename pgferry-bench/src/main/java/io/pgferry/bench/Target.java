package io.pgferry.bench;

import io.pgferry.postgres.connect.Dsn;

/**
 * What every consumer streams from.
 *
 * @param dsn the source database
 * @param dsnText the DSN as given, handed to the CLI through its environment (never on a command line, where other
 *     users could read the password)
 * @param publication the publication of the bench table
 * @param protocolVersion the pgoutput protocol version pgferry uses with this server, given to pg_recvlogical too
 */
record Target(Dsn dsn, String dsnText, String publication, int protocolVersion) {
    /** pgferry's choice: the highest version the server supports (PostgreSQL 14: 2, 15: 3, 16 and later: 4). */
    static int protocolFor(int serverVersionNum) {
        return serverVersionNum >= 160000 ? 4 : serverVersionNum >= 150000 ? 3 : 2;
    }
}
