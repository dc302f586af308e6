package io.pgferry.embedded;

/**
 * The primary's side of a base backup taken with the low-level API (see the PostgreSQL docs, "Making a Base Backup
 * Using the Low Level API"), run over SQL by the caller: this module speaks no SQL. {@link #start()} and {@link
 * #stop()} must run in one session that stays open between them.
 */
public interface BaseBackup {
    /** Starts the backup ({@code pg_backup_start}, or {@code pg_start_backup} before PostgreSQL 15). */
    void start();

    /**
     * Ends it ({@code pg_backup_stop}, or {@code pg_stop_backup}) and returns its {@code labelfile}, the content of
     * the standby's {@code backup_label}.
     */
    String stop();
}
