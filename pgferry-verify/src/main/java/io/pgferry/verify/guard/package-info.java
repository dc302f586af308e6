/**
 * The in-database half of verification: the {@code syncguard} schema ({@link io.pgferry.verify.guard.GuardSchema},
 * SQL in {@code 001-base.sql} next to it), table registration and dirty-tracking triggers
 * ({@link io.pgferry.verify.guard.Registrations}), and the worker that keeps per-bucket hashes current
 * ({@link io.pgferry.verify.guard.GuardWorker}). Start with the comment at the top of {@code 001-base.sql}: it
 * states the invariants the rest relies on.
 */
package io.pgferry.verify.guard;
