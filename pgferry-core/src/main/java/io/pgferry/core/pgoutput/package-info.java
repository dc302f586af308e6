/**
 * The pgoutput wire format as closed Java types, and a pure parser from bytes to them: no I/O, no logging, no state
 * beyond its arguments. An unknown tag or a truncated message is a {@link io.pgferry.core.pgoutput.ProtocolException},
 * never a skipped field. Reference: PostgreSQL docs, "Logical Replication Message Formats".
 */
package io.pgferry.core.pgoutput;
