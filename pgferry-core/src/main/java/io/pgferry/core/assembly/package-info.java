/**
 * Assembly of the pgoutput message stream into whole committed transactions: buffering in bounded off-heap memory
 * with compressed spill files, streamed and two-phase transactions, sub-transaction aborts, acknowledgement tracking.
 * Start at {@link io.pgferry.core.assembly.TransactionAssembler}, which takes the parsed messages in order and hands
 * each committed transaction on; what it holds is counted by {@link io.pgferry.core.assembly.MemoryBudget}.
 */
package io.pgferry.core.assembly;
