package io.pgferry.core.checkpoint;

import java.util.Optional;

/** Keeps the checkpoint in this process only. */
final class MemoryCheckpointStore implements CheckpointStore {
    private Checkpoint current;

    @Override
    public Optional<Checkpoint> load() {
        return Optional.ofNullable(current);
    }

    @Override
    public void save(Checkpoint checkpoint) {
        current = checkpoint;
    }

    @Override
    public String describe() {
        return "memory";
    }
}
