package io.pgferry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResultTableTest {
    @Test
    void medianOfOddAndEvenRuns() {
        ResultTable t = new ResultTable();
        t.add(Scenario.ONE_BIG, "x", new Measurement(3, -1));
        t.add(Scenario.ONE_BIG, "x", new Measurement(1, -1));
        t.add(Scenario.ONE_BIG, "x", new Measurement(2, -1));
        assertThat(t.medianSeconds(Scenario.ONE_BIG, "x")).isEqualTo(2.0);
        t.add(Scenario.ONE_BIG, "x", new Measurement(10, -1));
        assertThat(t.medianSeconds(Scenario.ONE_BIG, "x")).isEqualTo(2.5);
        assertThat(t.medianSeconds(Scenario.MANY_SMALL, "x")).isNaN();
    }

    @Test
    void ratioIsBaselineSecondsOverConsumerSeconds() {
        ResultTable t = new ResultTable();
        t.add(Scenario.ONE_BIG, ResultTable.BASELINE, new Measurement(2.0, -1));
        t.add(Scenario.ONE_BIG, "pgferry library", new Measurement(2.5, 1_000_000));
        t.add(Scenario.ONE_BIG, "pgferry CLI", new Measurement(2.0, 1_000_000));
        String out = t.render();
        assertThat(out).contains("A: 1 tx x 1,000,000 rows");
        assertThat(out).containsPattern("pgferry library +2\\.500 +400,000 +0\\.80 +<0\\.95");
        assertThat(out).containsPattern("pgferry CLI +2\\.000 +500,000 +1\\.00 +>=0\\.90");
    }
}
