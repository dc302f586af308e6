package io.pgferry.metrics;

import java.util.Optional;

/** Whether a command is doing its work (connected and streaming, applying or scanning), for {@code /ready}. */
@FunctionalInterface
public interface Readiness {
    /** Ready whatever happens: for a command that has no notion of it. */
    Readiness ALWAYS = Optional::empty;

    /** Empty when ready; otherwise one line saying why not (no row values, no secrets). */
    Optional<String> notReadyBecause();
}
