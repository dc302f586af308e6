/**
 * The public change model: {@link io.pgferry.core.event.Transaction}s of {@link io.pgferry.core.event.ChangeEvent}s
 * over {@link io.pgferry.core.event.Relation}s, delivered whole and in commit order to a
 * {@link io.pgferry.core.event.TransactionHandler}.
 */
package io.pgferry.core.event;
