/**
 * The verification history: {@link io.pgferry.verify.control.ControlPlane} records runs and divergences in PostgreSQL
 * or SQLite, and moves divergences through open, reviewed, resolved and ignored.
 */
package io.pgferry.verify.control;
