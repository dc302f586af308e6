package io.pgferry.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.cli.ChildCli;
import io.pgferry.cli.CliRun;
import io.pgferry.cli.Load;
import io.pgferry.cli.StreamRun;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.core.checkpoint.FileCheckpointStore;
import io.pgferry.testkit.PgTest;
import io.pgferry.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgferry stream --output FILE} killed with SIGKILL while writes keep coming, and restarted: the file holds
 * every committed change exactly once, on whole lines. Guards issue #5, where a restart appended to a file that ended
 * in a torn line and wrote again every transaction since the last checkpoint (thousands under load): the checkpoint
 * now records how long the file was, and a restart cuts the file back to that length before appending.
 */
@PgTest
class StreamKillTest {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(90);
    private static final int ROWS_PER_TRANSACTION = 3;

    @TempDir
    Path dir;

    @Test
    void killedUnderLoadWritesEveryTransactionOnceAndWhole(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, pad text)");
        Path out = dir.resolve("changes.jsonl");
        Path checkpoint = dir.resolve("stream.ckpt");
        String[] stream = {
            "stream",
            "--source",
            db.uri(),
            "--tables",
            "public.t",
            "--output",
            out.toString(),
            "--checkpoint",
            checkpoint.toString()
        };
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        List<Integer> committed = Collections.synchronizedList(new ArrayList<>());
        int cuts = 0;
        Process p = start(stream);
        // The slot exists, and the stream saved its first checkpoint, before the first write.
        await(() -> Files.exists(checkpoint), p, "the first checkpoint");
        Load load = Load.start(db, inserts(committed));
        try {
            for (int round = 0; round < 4; round++) {
                if (round > 0) {
                    p = start(stream);
                }
                long from = Files.exists(out) ? Files.size(out) : 0;
                long grow = 20_000 + random.nextInt(200_000);
                await(() -> Files.exists(out) && Files.size(out) > from + grow, p, "the output to grow");
                kill(p);
                // The cut is exercised when the killed run wrote past its last checkpoint.
                if (Files.size(out) > recordedLength(checkpoint)) {
                    cuts++;
                }
            }
        } finally {
            load.stop();
        }
        assertThat(load.error()).as("writer").isNull();
        assertThat(committed)
                .as("the writer committed while the stream was killed")
                .hasSizeGreaterThan(1000);
        assertThat(cuts)
                .as("seed %d: some kill left output past the checkpoint", seed)
                .isPositive();

        CliRun last = CliRun.run(append(stream, "--until-caught-up"));
        assertThat(last.exitCode()).as(last.err()).isEqualTo(ExitCodes.OK);

        Map<Integer, Integer> seen = new TreeMap<>();
        for (JsonNode line : StreamRun.lines(out)) {
            assertThat(line.get("op").textValue()).isEqualTo("insert");
            seen.merge(line.get("after").get("id").intValue(), 1, Integer::sum);
        }
        assertThat(seen.entrySet())
                .as("seed %d: no change written twice", seed)
                .filteredOn(e -> e.getValue() > 1)
                .isEmpty();
        assertThat(seen.keySet())
                .as("seed %d: every committed change written", seed)
                .containsExactlyInAnyOrderElementsOf(committed);
    }

    @Test
    void anOutputFileShorterThanTheCheckpointRecordsIsRefused(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (id int PRIMARY KEY, pad text)");
        Path out = dir.resolve("changes.jsonl");
        Path checkpoint = dir.resolve("stream.ckpt");
        String[] stream = {
            "stream",
            "--source",
            db.uri(),
            "--tables",
            "public.t",
            "--output",
            out.toString(),
            "--checkpoint",
            checkpoint.toString(),
            "--until-caught-up"
        };
        assertThat(CliRun.run(stream).exitCode()).isEqualTo(ExitCodes.OK);
        db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        assertThat(CliRun.run(stream).exitCode()).isEqualTo(ExitCodes.OK);
        long full = Files.size(out);
        assertThat(recordedLength(checkpoint)).isEqualTo(full);

        // Someone cut the file: the lines it lost cannot be delivered again, so the stream must not go on silently.
        String text = Files.readString(out, StandardCharsets.UTF_8);
        String firstLine = text.substring(0, text.indexOf('\n') + 1);
        Files.writeString(out, firstLine, StandardCharsets.UTF_8);
        db.execute("INSERT INTO t VALUES (3, 'c')");
        CliRun refused = CliRun.run(stream);

        assertThat(refused.exitCode()).isEqualTo(ExitCodes.RUNTIME);
        assertThat(refused.errLines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("pgferry: error: output file " + out + " holds " + firstLine.length()
                        + " bytes, fewer than the " + full + " that checkpoint file "
                        + checkpoint.toAbsolutePath() + " records as written to it; fix: ")
                .contains("restore the file", "delete the checkpoint"));
        assertThat(Files.readString(out, StandardCharsets.UTF_8)).isEqualTo(firstLine);
    }

    private static long recordedLength(Path checkpoint) {
        Checkpoint c = new FileCheckpointStore(checkpoint).load().orElseThrow();
        return c.outputLength().orElseThrow();
    }

    private static String[] append(String[] args, String more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(more);
        return all.toArray(String[]::new);
    }

    /** Small transactions of a few inserts each, the steps of the load; adds the ids of those that committed. */
    private static Load.Step inserts(List<Integer> committed) {
        AtomicInteger next = new AtomicInteger(1);
        return st -> {
            int first = next.get();
            StringBuilder sql = new StringBuilder("INSERT INTO t VALUES ");
            for (int i = 0; i < ROWS_PER_TRANSACTION; i++) {
                sql.append(i == 0 ? "" : ", ").append('(').append(first + i).append(", repeat('x', 200))");
            }
            st.execute(sql.toString());
            for (int i = 0; i < ROWS_PER_TRANSACTION; i++) {
                committed.add(first + i);
            }
            next.addAndGet(ROWS_PER_TRANSACTION);
        };
    }

    private Process start(String... args) throws Exception {
        return ChildCli.start(dir.resolve("stdout.txt"), dir.resolve("stderr.txt"), args);
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL on Linux
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    /** Waits until {@code check} holds while the child runs; fails naming {@code what} after the deadline. */
    private void await(Check check, Process p, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!check.holds()) {
            assertThat(p.isAlive())
                    .as("pgferry stream still running while waiting for %s; stderr: %s", what, stderr())
                    .isTrue();
            assertThat(System.nanoTime() - deadline).as("%s within 90 s", what).isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling interval of the wait
        }
    }

    private String stderr() throws Exception {
        Path err = dir.resolve("stderr.txt");
        return Files.exists(err) ? Files.readString(err, StandardCharsets.UTF_8) : "";
    }
}
