/**
 * Reaching a PostgreSQL server: connection strings and opening connections. Start at {@link
 * io.pgferry.postgres.connect.Dsn}, which parses a URI or keyword/value string, resolves the libpq environment
 * variables, service and password files ({@code DsnResolver}, {@code PgPass}) and refuses options it cannot honour
 * ({@code DsnKeys}); then {@link io.pgferry.postgres.connect.Connections}, which opens ordinary and replication
 * connections from it and turns their failures into one-line errors with the fix.
 */
package io.pgferry.postgres.connect;
