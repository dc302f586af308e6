package io.pgferry.bench;

import io.pgferry.core.Lsn;

/** A program or library that reads a replication slot; the benchmark times each on the same WAL. */
sealed interface StreamConsumer permits RecvLogicalConsumer, LibraryConsumer, CliConsumer {
    /** The name in the results table. */
    String name();

    /**
     * Streams {@code slot} from its confirmed position until every transaction committed before {@code end} was
     * received, and times it.
     *
     * @throws Exception when the consumer fails or runs past its time limit
     */
    Measurement run(String slot, Lsn end) throws Exception;
}
