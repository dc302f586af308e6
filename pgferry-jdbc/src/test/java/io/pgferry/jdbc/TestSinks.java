package io.pgferry.jdbc;

import io.pgferry.core.event.Relation;
import io.pgferry.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;

/** A sync's {@link JdbcSink} into a test database, with the catalog made and registered (fingerprint "fp"). */
final class TestSinks {
    private TestSinks() {}

    /** A sink of sync {@code slot} into {@code db}, writing each source table to {@code targets}' table. */
    static JdbcSink sink(TestDatabase db, String slot, Function<Relation, TargetTable> targets) throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        SyncCatalog catalog = new SyncCatalog(dialect, SyncCatalog.DEFAULT_SCHEMA, slot);
        try (Connection c = db.connect()) {
            SyncCatalog.create(c, dialect, SyncCatalog.DEFAULT_SCHEMA);
            catalog.register(c, "fp");
        }
        return new JdbcSink(
                () -> {
                    try {
                        return db.connect();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                },
                dialect,
                targets,
                catalog,
                () -> "fp",
                "test");
    }
}
