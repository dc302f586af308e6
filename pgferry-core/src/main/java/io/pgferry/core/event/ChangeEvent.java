package io.pgferry.core.event;

import io.pgferry.core.Lsn;
import java.util.List;
import java.util.function.Predicate;

/**
 * One change inside a {@link Transaction}. The set is closed, so a {@code switch} over it is checked by the compiler.
 *
 * <p>{@link #lsn()} is the WAL position of the change's record as the server reported it; for {@link Read} events
 * (rows of the initial snapshot) it is the slot's consistent point.
 */
public sealed interface ChangeEvent {
    Lsn lsn();

    Op op();

    /** The kind of a change, named as in the JSON output. */
    enum Op {
        INSERT,
        UPDATE,
        DELETE,
        TRUNCATE,
        MESSAGE,
        READ
    }

    record Insert(Lsn lsn, Relation relation, Row after) implements ChangeEvent {
        @Override
        public Op op() {
            return Op.INSERT;
        }
    }

    /**
     * {@code before} is the old key ({@link Row#isKeyOnly()}) or, with REPLICA IDENTITY FULL, the whole old row; it is
     * null when the server sent none (the key did not change). Columns of {@code after} may be unchanged TOAST
     * values, whose content the server did not send ({@link Row#isUnchangedToast(int)}).
     */
    record Update(Lsn lsn, Relation relation, Row before, Row after) implements ChangeEvent {
        @Override
        public Op op() {
            return Op.UPDATE;
        }
    }

    /** {@code before} is the old key or, with REPLICA IDENTITY FULL, the whole old row. */
    record Delete(Lsn lsn, Relation relation, Row before) implements ChangeEvent {
        @Override
        public Op op() {
            return Op.DELETE;
        }
    }

    record Truncate(Lsn lsn, List<Relation> relations, boolean cascade, boolean restartIdentity)
            implements ChangeEvent {
        public Truncate {
            relations = List.copyOf(relations);
        }

        @Override
        public Op op() {
            return Op.TRUNCATE;
        }

        /** This truncate of the relations {@code keep} accepts: itself when it accepts all, null when it accepts none. */
        public Truncate keeping(Predicate<Relation> keep) {
            List<Relation> kept = relations.stream().filter(keep).toList();
            if (kept.size() == relations.size()) {
                return this;
            }
            return kept.isEmpty() ? null : new Truncate(lsn, kept, cascade, restartIdentity);
        }
    }

    /** A message written with {@code pg_logical_emit_message}. */
    record Message(Lsn lsn, String prefix, byte[] content, boolean transactional) implements ChangeEvent {
        @Override
        public Op op() {
            return Op.MESSAGE;
        }
    }

    /** A row that existed when the initial snapshot was taken. */
    record Read(Lsn lsn, Relation relation, Row after) implements ChangeEvent {
        @Override
        public Op op() {
            return Op.READ;
        }
    }
}
