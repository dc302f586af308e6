/**
 * Core value types shared by every pgferry module: {@link io.pgferry.core.Lsn} and the error type that carries a
 * problem, its fix and whether a retry may help. This module has no JDBC dependency.
 */
package io.pgferry.core;
