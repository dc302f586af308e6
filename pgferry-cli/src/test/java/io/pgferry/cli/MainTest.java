package io.pgferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgferry.cli.command.ErrorReporter;
import io.pgferry.cli.command.ExitCodes;
import io.pgferry.cli.sync.StatusCommand;
import io.pgferry.cli.sync.SyncCommand;
import io.pgferry.cli.verify.GuardCommand;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Command-line behaviour that needs no server. */
class MainTest {
    @Test
    void helpAndVersion() {
        CliRun help = CliRun.run("--help");
        assertThat(help.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(help.out()).contains("check", "slots", "stream");
        CliRun version = CliRun.run("--version");
        assertThat(version.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(version.out()).startsWith("pgferry ");
        assertThat(CliRun.run("slots", "--help").out()).contains("list", "drop");
    }

    @Test
    void aRunThatNamesItsCommandBuildsThatCommandAlone() {
        Map<String, String> none = Map.of();
        assertThat(Main.only(new String[] {"status", "--target", "x"}, none)).isEqualTo(StatusCommand.class);
        assertThat(Main.only(new String[] {"-v", "--log-level", "info", "guard", "run"}, none))
                .isEqualTo(GuardCommand.class);
        assertThat(Main.only(new String[] {"sync", "--slot", "status"}, none)).isEqualTo(SyncCommand.class);
        // Help, config and a configuration file look at every command; an unknown name gets picocli's full usage.
        assertThat(Main.only(new String[] {"help", "sync"}, none)).isNull();
        assertThat(Main.only(new String[] {"config", "check"}, none)).isNull();
        assertThat(Main.only(new String[] {"sync", "--config", "f.yaml"}, none)).isNull();
        assertThat(Main.only(new String[] {"sync"}, Map.of("PGFERRY_CONFIG", "f.yaml")))
                .isNull();
        assertThat(Main.only(new String[] {"--version"}, none)).isNull();
        assertThat(Main.only(new String[] {"synk"}, none)).isNull();
        assertThat(Main.SUBCOMMANDS)
                .hasSize(Main.unconfigured().getSubcommands().size());
    }

    @Test
    void noSubcommandIsUsage() {
        assertThat(CliRun.run().exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.run("slots").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void unknownOptionIsOneLineUsageError() {
        CliRun r = CliRun.run("check", "--bogus");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.errLines())
                .containsExactly("pgferry: error: Unknown option: '--bogus'; fix: see 'pgferry check --help'");
    }

    @Test
    void malformedDsnIsUsageErrorWithoutThePassword() {
        CliRun r = CliRun.run("check", "--source", "postgresql://u:topsecret@h:notaport/db");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err())
                .startsWith("pgferry: error: malformed DSN: invalid port 'notaport'")
                .contains("; fix: use postgresql://user@host:5432/db")
                .doesNotContain("topsecret");
        assertThat(r.out()).isEmpty();

        CliRun kv = CliRun.run("check", "--source", "host=h password=topsecret sslmod=require");
        assertThat(kv.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(kv.err()).contains("unknown keyword 'sslmod'").doesNotContain("topsecret");
    }

    @Test
    void aStrayDsnArgumentIsMaskedInTheUsageError() {
        CliRun r = CliRun.run("check", "postgresql://u:topsecret@h/db");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("postgresql://u:****@h/db").doesNotContain("topsecret");
    }

    @Test
    void missingSourceIsUsageError() {
        assumeTrue(System.getenv("PGFERRY_SOURCE_DSN") == null, "PGFERRY_SOURCE_DSN is set in this environment");
        CliRun r = CliRun.run("check");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.errLines())
                .containsExactly("pgferry: error: no source database given; fix: pass --source"
                        + " postgresql://user@host:5432/db or set PGFERRY_SOURCE_DSN");
    }

    @Test
    void badTableListIsUsageError() {
        CliRun r = CliRun.run("check", "--source", "host=127.0.0.1", "--tables", "a.b.c");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("pgferry: error: invalid table list 'a.b.c'");
    }

    @Test
    void badSlotNameIsUsageErrorBeforeConnecting() {
        for (String name : new String[] {"Bad-Name", "with space", "x".repeat(64), "ünï"}) {
            CliRun r = CliRun.run("slots", "drop", name, "--source", "host=127.0.0.1 port=1");
            assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.errLines()).hasSize(1);
            assertThat(r.err()).contains("invalid slot name").contains("a-z, 0-9 and _");
        }
    }

    @Test
    void unconfiguredCommandLineKeepsTheExitCodes() {
        CliRun malformed = CliRun.runBare("check", "--source", "host=h bogus=1");
        assertThat(malformed.exitCode()).isEqualTo(ExitCodes.USAGE);
        CliRun unreachable = CliRun.runBare("slots", "list", "--source", "host=127.0.0.1 port=1 connect_timeout=5");
        assertThat(unreachable.exitCode()).isEqualTo(ExitCodes.RUNTIME);
        assertThat(unreachable.errLines()).hasSize(1);
        assertThat(unreachable.err()).startsWith("pgferry: error: cannot reach 127.0.0.1:1: ");
    }

    @Test
    void verboseAddsTheStackTraceAnywhereOnTheLine() {
        CliRun quiet = CliRun.run("slots", "list", "--source", "host=127.0.0.1 port=1");
        assertThat(quiet.errLines()).hasSize(1);
        CliRun before = CliRun.run("-v", "slots", "list", "--source", "host=127.0.0.1 port=1");
        CliRun after = CliRun.run("slots", "list", "--verbose", "--source", "host=127.0.0.1 port=1");
        for (CliRun r : new CliRun[] {before, after}) {
            assertThat(r.exitCode()).isEqualTo(ExitCodes.RUNTIME);
            assertThat(r.errLines().get(0)).startsWith("pgferry: error: cannot reach");
            assertThat(r.err()).contains("PgFerryException").contains("\tat ");
        }
    }

    @Test
    void errorLinesMaskPasswords() {
        assertThat(ErrorReporter.line("bad postgresql://a:b1c2@h/db", "use password=xyz"))
                .isEqualTo("pgferry: error: bad postgresql://a:****@h/db; fix: use password=****");
        assertThat(ErrorReporter.line("two\nlines", "")).isEqualTo("pgferry: error: two lines");
    }
}
