package io.pgferry.cli;

import io.pgferry.engine.CopyProgress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars of a running copy on a terminal: one for the whole copy and one per table, each with megabytes
 * copied of the source's size, rows, rate and time left. Drawn by the progressbar library on standard error; updated
 * from the copy's counters by {@link #update}.
 */
final class CopyBars implements AutoCloseable {
    private final ProgressBar total;
    private final Map<CopyProgress.Table, ProgressBar> tables = new LinkedHashMap<>();
    private final CopyProgress progress;

    CopyBars(CopyProgress progress) {
        this.progress = progress;
        this.total = bar("copy", progress.estimatedBytes());
        for (CopyProgress.Table t : progress.tables()) {
            tables.put(t, bar(t.name().toString(), t.estimatedBytes()));
        }
    }

    private static ProgressBar bar(String name, long bytes) {
        return new ProgressBarBuilder()
                .setTaskName(name)
                .setInitialMax(Math.max(1, bytes >> 20))
                .setUnit(" MB", 1)
                .setStyle(ProgressBarStyle.ASCII)
                .showSpeed()
                .continuousUpdate()
                .build();
    }

    /** Moves every bar to the counters' current values. */
    void update() {
        step(total, progress.bytes(), String.format(Locale.ROOT, "%,d rows", progress.rows()));
        for (Map.Entry<CopyProgress.Table, ProgressBar> e : tables.entrySet()) {
            CopyProgress.Table t = e.getKey();
            step(e.getValue(), t.bytes(), String.format(Locale.ROOT, "%,d rows%s", t.rows(), t.done() ? ", done" : ""));
        }
    }

    private static void step(ProgressBar bar, long bytes, String extra) {
        long mb = bytes >> 20;
        if (mb > bar.getMax()) {
            // The source's size is an estimate: a table can hold more than it said.
            bar.maxHint(mb);
        }
        bar.stepTo(mb);
        bar.setExtraMessage(extra);
    }

    @Override
    public void close() {
        update();
        for (ProgressBar b : tables.values()) {
            b.close();
        }
        total.close();
    }
}
