package io.pgferry.testkit;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done on a connection the kit lends ({@link TestDatabase#withConnection}); it must not close it. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
