package io.pgferry.engine.copy;

import java.sql.SQLException;

/**
 * What a copy into a database that is not PostgreSQL does once every row is in, before it records its end: build the
 * indexes of the tables it created. A crash during it leaves the copy unfinished, so it runs again when a resumed copy
 * ends: it must skip what is already done.
 */
@FunctionalInterface
public interface CopyEnd {
    CopyEnd NONE = () -> {};

    void run() throws SQLException;
}
