package io.pgferry.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint file keeps the output length (issue #5) and still reads the files written before it did. */
class FileCheckpointStoreTest {
    @TempDir
    Path dir;

    @Test
    void outputLengthRoundTrips() {
        FileCheckpointStore store = new FileCheckpointStore(dir.resolve("c.ckpt"));
        Checkpoint saved = new Checkpoint(Lsn.parse("0/16B3748"), "abc").withOutputLength(12_345);
        store.save(saved);
        assertThat(store.load()).contains(saved);

        Checkpoint without = new Checkpoint(Lsn.parse("0/16B3800"), "abc");
        store.save(without);
        assertThat(store.load()).contains(without);
        assertThat(store.load().orElseThrow().outputLength()).isEmpty();
    }

    @Test
    void aFileWrittenBeforeOutputLengthsLoadsWithNone() throws IOException {
        Path file = dir.resolve("old.ckpt");
        Files.writeString(file, "pgferry-checkpoint 1\nlsn=0/16B3748\nfingerprint=abc\n", StandardCharsets.UTF_8);
        assertThat(new FileCheckpointStore(file).load())
                .contains(new Checkpoint(Lsn.parse("0/16B3748"), "abc", OptionalLong.empty()));
    }

    @Test
    void aLengthThatIsNotOneIsRefused() throws IOException {
        Path file = dir.resolve("bad.ckpt");
        for (String bad : new String[] {"-1", "12kB", ""}) {
            Files.writeString(
                    file,
                    "pgferry-checkpoint 1\nlsn=0/16B3748\nfingerprint=abc\noutput_length=" + bad + "\n",
                    StandardCharsets.UTF_8);
            PgFerryException e =
                    catchThrowableOfType(PgFerryException.class, () -> new FileCheckpointStore(file).load());
            assertThat(e).as("output_length=%s", bad).isNotNull();
            assertThat(e.problem())
                    .isEqualTo("checkpoint file " + file.toAbsolutePath() + " holds output length '" + bad
                            + "', not a number of bytes");
        }
    }

    /** A library error names no command-line flag: the store is also used by programs that embed the library. */
    @Test
    void aFileThatIsNotACheckpointIsRefusedInLibraryTerms() throws IOException {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "shopping list\n", StandardCharsets.UTF_8);
        PgFerryException e = catchThrowableOfType(PgFerryException.class, () -> new FileCheckpointStore(file).load());
        assertThat(e.problem()).isEqualTo("checkpoint file " + file.toAbsolutePath() + " is not a pgferry checkpoint");
        assertThat(e.fix()).doesNotContain("--");
        assertThat(e.isRetriable()).isFalse();
    }
}
