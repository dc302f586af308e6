/**
 * Durable records of how far a stream's handler has acknowledged, kept so that a restart neither loses nor repeats a
 * transaction. The default store is a file replaced atomically with fsync.
 */
package io.pgferry.core.checkpoint;
