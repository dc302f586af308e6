package io.pgferry.core.sink;

import java.util.Locale;

/**
 * Where one table stands in a sync. The order is the life cycle: a table starts at {@link #INIT}, is copied, catches
 * up with changes made during its copy, then streams; {@link #ERROR} can be reached from any state, {@link #REMOVED}
 * from any but {@link #INIT}.
 */
public enum TableState {
    /** Known to the sync; nothing copied yet. */
    INIT,
    /** Its rows are being copied. */
    COPYING,
    /** Copied; changes made during the copy are being applied. */
    CATCHING_UP,
    /** Copied and caught up: every change is applied as it arrives. */
    STREAMING,
    /** Stopped on an error, which is recorded with the state. */
    ERROR,
    /**
     * No longer one of the sync's tables (dropped at the source, or no longer matched by its patterns): its changes are
     * not applied and its target table stays as it was; a sync whose patterns match it again copies it afresh.
     */
    REMOVED;

    /** The name stored and shown: lower case with spaces ({@code catching up}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** The state of {@link #label()}; throws {@link IllegalArgumentException} for an unknown label. */
    public static TableState ofLabel(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT).replace(' ', '_'));
    }
}
