package io.pgferry.cli.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Bars or lines: the answer follows standard error, which the launchers test. Before, it followed System.console(),
 * which on Java 17 answers for standard input and output: {@code pgferry sync 2>log} on a terminal drew bars into the
 * log, and {@code pgferry sync >out} printed lines on a terminal. Issue #5.
 */
class CopyReporterTest {
    @Test
    void theLaunchersAnswerWinsOverTheConsole() {
        assertThat(CopyReporter.drawsBars("false", true, "xterm"))
                .as("2>log on a terminal")
                .isFalse();
        assertThat(CopyReporter.drawsBars("true", false, "xterm"))
                .as(">out on a terminal")
                .isTrue();
    }

    @Test
    void withoutTheLauncherTheConsoleDecides() {
        assertThat(CopyReporter.drawsBars(null, true, "xterm")).isTrue();
        assertThat(CopyReporter.drawsBars(null, false, "xterm")).isFalse();
        assertThat(CopyReporter.drawsBars(null, true, null)).isTrue();
    }

    @Test
    void aDumbTerminalGetsLines() {
        assertThat(CopyReporter.drawsBars("true", true, "dumb")).isFalse();
    }
}
