/**
 * pgjdbc side of pgferry: connection strings ({@link io.pgferry.postgres.Dsn}), opening and classifying connections
 * ({@link io.pgferry.postgres.Connections}), readiness checks ({@link io.pgferry.postgres.Preflight}), replication
 * slot administration ({@link io.pgferry.postgres.SlotAdmin}) and safely quoted identifiers.
 */
package io.pgferry.postgres;
