/**
 * What an operator runs before and beside a stream. Start at {@link io.pgferry.postgres.admin.Preflight}: whether a
 * server, role, publication and tables are ready for logical replication, as a list of {@link
 * io.pgferry.postgres.admin.Finding}s with the fix for each (the publication part in {@link
 * io.pgferry.postgres.admin.PublicationChecks}, which the stream's set-up also reads, the per-table part in {@code
 * TableChecks}). {@link io.pgferry.postgres.admin.SlotAdmin} lists and drops replication slots; {@link
 * io.pgferry.postgres.admin.Publications} marks the publications pgferry creates and drops one with its slot when
 * nothing else can use it. {@link io.pgferry.postgres.admin.MaskChecks} checks a value mask against the catalog
 * before anything is created.
 */
package io.pgferry.postgres.admin;
