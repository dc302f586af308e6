package io.pgferry.cli.sync;

import io.pgferry.engine.copy.CopyProgress;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
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
    private static final int MB = 1 << 20;
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

    /**
     * A bar counting bytes, shown in megabytes: counted in whole megabytes, a table smaller than one stayed at 0 %
     * once copied, and the rate moved in steps of one megabyte.
     */
    static ProgressBarBuilder builder(String name, long bytes) {
        return new ProgressBarBuilder()
                .setTaskName(name)
                .setInitialMax(Math.max(1, bytes))
                .setUnit(" MB", MB)
                .setStyle(ProgressBarStyle.ASCII)
                .showSpeed(new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT)))
                .continuousUpdate();
    }

    private static ProgressBar bar(String name, long bytes) {
        return builder(name, bytes).build();
    }

    /** Moves every bar to the counters' current values. */
    void update() {
        boolean all = progress.tablesDone() == progress.tables().size();
        step(total, progress.bytes(), all, String.format(Locale.ROOT, " %,d rows", progress.rows()));
        for (Map.Entry<CopyProgress.Table, ProgressBar> e : tables.entrySet()) {
            CopyProgress.Table t = e.getKey();
            step(e.getValue(), t.bytes(), t.done(), String.format(Locale.ROOT, " %,d rows", t.rows()));
        }
    }

    /**
     * The source's size on disk is an estimate of the bytes a copy moves (more for a table full of dead rows, less
     * in binary COPY): a finished bar is set to what was moved, and a bar that passes its estimate grows.
     */
    static void step(ProgressBar bar, long bytes, boolean done, String extra) {
        if (done || bytes > bar.getMax()) {
            bar.maxHint(Math.max(1, bytes));
        }
        bar.stepTo(done ? bar.getMax() : bytes);
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
