package io.pgferry.bench;

import io.pgferry.core.pgoutput.ParserOptions;
import io.pgferry.core.pgoutput.PgOutputMessage;
import io.pgferry.core.pgoutput.PgOutputParser;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** {@link PgOutputParser} on one Insert message of ten text columns: the per-row cost of the hot path. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParserBenchmark {
    private final ParserOptions options = ParserOptions.of(ParserOptions.MAX_PROTOCOL_VERSION);
    private byte[] insert;

    @Setup
    public void setUp() {
        insert = SyntheticMessages.insert(123_456_789L);
    }

    /** Returned, so JMH consumes the message and the parse cannot be optimised away. */
    @Benchmark
    public PgOutputMessage parseInsert10Columns() {
        return PgOutputParser.parse(insert, 0, insert.length, options, false);
    }
}
