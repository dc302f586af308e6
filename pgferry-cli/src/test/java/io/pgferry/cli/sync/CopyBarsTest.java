package io.pgferry.cli.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarConsumer;
import org.junit.jupiter.api.Test;

/**
 * The copy's progress bars as a terminal shows them. Regression (issue 5): counted in whole megabytes, a table
 * smaller than one megabyte stayed at 0 % once copied.
 */
class CopyBarsTest {

    /** Keeps what the bar draws instead of writing it to the terminal. */
    private static final class Screen implements ProgressBarConsumer {
        final List<String> lines = new ArrayList<>();

        @Override
        public void accept(String rendered) {
            lines.add(rendered);
        }

        @Override
        public int getMaxRenderedLength() {
            return 120;
        }

        @Override
        public void close() {}
    }

    @Test
    void aCopiedTableSmallerThanItsEstimateEndsAtAHundredPercent() {
        Screen screen = new Screen();
        try (ProgressBar bar =
                CopyBars.builder("public.small", 3L << 20).setConsumer(screen).build()) {
            CopyBars.step(bar, 8192, false, " 1 rows");
            assertThat(bar.getCurrent()).isEqualTo(8192);
            CopyBars.step(bar, 8192, true, " 1 rows");
            assertThat(bar.getCurrent()).isEqualTo(bar.getMax());
        }
        assertThat(screen.lines.get(screen.lines.size() - 1))
                .contains("public.small 100%")
                .contains("1 rows");
    }

    @Test
    void aTableLargerThanItsEstimateGrowsItsBar() {
        try (ProgressBar bar = CopyBars.builder("public.big", 1L << 20)
                .setConsumer(new Screen())
                .build()) {
            CopyBars.step(bar, 5L << 20, false, "");
            assertThat(bar.getMax()).isEqualTo(5L << 20);
            assertThat(bar.getCurrent()).isEqualTo(5L << 20);
        }
    }
}
