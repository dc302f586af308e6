package io.pgferry.testkit;

import java.sql.SQLException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link PostgresServer} (the shared server) and {@link TestDatabase} parameters.
 *
 * <p>A {@link TestDatabase} belongs to the extension context that asked for it: a test method and its
 * {@code @BeforeEach}/{@code @AfterEach} methods share one, a {@code @BeforeAll} method gets one for the class. It
 * lives in that context's store under a namespace holding the context's unique id, so a method never inherits its
 * class's database through the store's parent lookup. JUnit closes {@link AutoCloseable} store values when the
 * context ends, after the {@code @AfterEach} methods, which drops the database.
 */
public final class PostgresExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestDatabase.class || type == PostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == PostgresServer.class) {
            return PostgresServer.shared();
        }
        ExtensionContext.Namespace namespace =
                ExtensionContext.Namespace.create(PostgresExtension.class, context.getUniqueId());
        return context.getStore(namespace)
                .getOrComputeIfAbsent(TestDatabase.class, PostgresExtension::createDatabase, TestDatabase.class);
    }

    private static TestDatabase createDatabase(Class<TestDatabase> key) {
        try {
            return TestDatabase.create(PostgresServer.shared());
        } catch (SQLException e) {
            throw new ParameterResolutionException("cannot create a test database: " + e.getMessage(), e);
        }
    }
}
