package io.pgferry.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgferry.cli.CliRun;
import io.pgferry.cli.Main;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.postgres.StreamConfig;
import java.io.PrintWriter;
import java.io.Writer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code pgferry stream} states no default of its own: what it shows in its help and what it streams with when an
 * option is left out are the library's defaults. Guards issue #5, where the command repeated the builder's values and
 * the two could drift apart.
 */
class StreamDefaultsTest {
    private static final String SOURCE = "postgresql://replicator@db.example.com:5432/shop";

    @Test
    void omittedOptionsTakeTheBuilderDefaults() {
        CommandLine cl =
                Main.newCommandLine(new PrintWriter(Writer.nullWriter()), new PrintWriter(Writer.nullWriter()));
        CommandLine.ParseResult parsed = cl.parseArgs("stream", "--source", SOURCE);
        StreamCommand command =
                (StreamCommand) parsed.subcommand().commandSpec().userObject();

        StreamConfig fromCli = command.config();
        StreamConfig library = StreamConfig.builder().source(SOURCE).build();

        assertThat(fromCli.publication()).isEqualTo(library.publication()).isEqualTo("pgferry_pub");
        assertThat(fromCli.slot()).isEqualTo(library.slot()).isEqualTo("pgferry_slot");
        assertThat(fromCli.memoryLimitBytes())
                .isEqualTo(library.memoryLimitBytes())
                .isEqualTo(64L << 20);
        assertThat(fromCli.maxRetryTime()).isEqualTo(library.maxRetryTime()).hasMinutes(5);
    }

    @Test
    void helpShowsTheBuilderDefaults() {
        CliRun help = CliRun.run("stream", "--help");
        assertThat(help.exitCode()).isEqualTo(ExitCodes.OK);
        // The help wraps long descriptions; compare with the line breaks taken out.
        assertThat(help.out().replaceAll("\\s+", " "))
                .contains("(default: " + StreamConfig.Builder.DEFAULT_PUBLICATION + ")")
                .contains("(default: " + StreamConfig.Builder.DEFAULT_SLOT + ")")
                .contains("(default: " + StreamConfig.Builder.DEFAULT_MEMORY_LIMIT_MB + "MB)")
                .contains("(default: " + StreamConfig.Builder.DEFAULT_MAX_RETRY_MINUTES + "min)");
    }
}
