package io.pgferry.bench;

import io.pgferry.core.Lsn;
import io.pgferry.core.assembly.MemoryBudget;
import io.pgferry.core.assembly.SpillStats;
import io.pgferry.core.assembly.TransactionAssembler;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.pgoutput.ParserOptions;
import io.pgferry.core.value.BuiltinTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link TransactionAssembler} throughput: Begin, 1000 Inserts of ten columns, Commit, delivered to a handler that
 * iterates every change and counts the rows. Scores are rows per second (one operation = one row).
 *
 * <p>The whole transaction fits the 64 MB off-heap budget, as most transactions do, so this measures parsing,
 * buffering and replay, not spilling to disk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AssemblerBenchmark {
    static final int ROWS = 1_000;
    private static final long FIRST_LSN = 0x1_0000_0000L;

    /** Begin, the inserts and Commit back to back in one array; message i is {@code [offsets[i], offsets[i+1])}. */
    private byte[] stream;

    private int[] offsets;
    private Lsn[] walStarts;
    private TransactionAssembler assembler;
    private Path spillDirectory;
    private long rows;

    @Setup
    public void setUp() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int messages = ROWS + 2;
        offsets = new int[messages + 1];
        walStarts = new Lsn[messages];
        long commitLsn = FIRST_LSN + 200L * (ROWS + 1);
        for (int i = 0; i < messages; i++) {
            byte[] m;
            if (i == 0) {
                m = SyntheticMessages.begin(commitLsn);
            } else if (i == messages - 1) {
                m = SyntheticMessages.commit(commitLsn, commitLsn + 48);
            } else {
                m = SyntheticMessages.insert(i);
            }
            offsets[i] = all.size();
            all.write(m);
            walStarts[i] = Lsn.of(FIRST_LSN + 200L * i);
        }
        offsets[messages] = all.size();
        stream = all.toByteArray();
        spillDirectory = Files.createTempDirectory("pgferry-bench-spill");
        assembler = new TransactionAssembler(
                ParserOptions.of(ParserOptions.MAX_PROTOCOL_VERSION),
                BuiltinTypes.builtin(),
                new MemoryBudget(64L << 20),
                spillDirectory,
                new SpillStats(),
                Lsn.INVALID,
                this::count,
                lsn -> {},
                relation -> {});
        // The server sends a Relation before the first row of a table; it stays cached between transactions.
        byte[] relation = SyntheticMessages.relation();
        assembler.accept(relation, 0, relation.length, Lsn.of(FIRST_LSN));
    }

    private void count(Transaction tx) {
        long n = 0;
        for (ChangeEvent change : tx) {
            if (change instanceof ChangeEvent.Insert) {
                n++;
            }
        }
        rows += n;
        tx.ack();
    }

    @TearDown
    public void tearDown() throws IOException {
        if (rows == 0) {
            throw new IllegalStateException("the assembler delivered no rows");
        }
        try (var files = Files.list(spillDirectory)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(spillDirectory);
    }

    /** One transaction of {@value #ROWS} rows; the assembler copies each message, so the array is reused. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long transactionOf1000Inserts() {
        for (int i = 0; i < walStarts.length; i++) {
            assembler.accept(stream, offsets[i], offsets[i + 1] - offsets[i], walStarts[i]);
        }
        return rows;
    }
}
