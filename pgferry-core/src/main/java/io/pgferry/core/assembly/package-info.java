/**
 * Assembly of the pgoutput message stream into whole committed transactions: buffering in bounded off-heap memory
 * with compressed spill files, streamed and two-phase transactions, sub-transaction aborts, acknowledgement tracking.
 */
package io.pgferry.core.assembly;
