package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.event.AppendingHandler;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.PreparingHandler;
import io.pgferry.core.event.Transaction;
import io.pgferry.core.event.TransactionHandler;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Every call the stream makes into its {@link TransactionHandler}, and the one failure it remembers: what the handler
 * threw may quote row values, so the stream must recognise it to keep it out of its logs ({@link #isFailure}).
 * Invariant: a call that throws records what it throws before the exception leaves this class.
 *
 * <p>Calls come from the stream's thread; {@link #isFailure} and {@link #isFailureItself} from any thread.
 */
final class HandlerCalls {
    private final TransactionHandler handler;
    private volatile Throwable failure;

    HandlerCalls(TransactionHandler handler) {
        this.handler = handler;
    }

    /** Whether the handler appends to an output it can cut back ({@link AppendingHandler}). */
    boolean appends() {
        return handler instanceof AppendingHandler;
    }

    /** The preparer the assembler calls for each change as it arrives, or null when the handler prepares nothing. */
    Function<ChangeEvent, byte[]> preparer() {
        return handler instanceof PreparingHandler p ? change -> prepare(p, change) : null;
    }

    void onTransaction(Transaction tx) {
        try {
            handler.onTransaction(tx);
        } catch (Exception e) {
            throw failed(e);
        }
    }

    void onIdle() {
        try {
            handler.onIdle();
        } catch (Exception e) {
            throw failed(e);
        }
    }

    /** Lets an appending handler cut its output back to the checkpoint's length; what it throws fails the start. */
    void resume(OptionalLong length, String checkpoint) {
        if (!(handler instanceof AppendingHandler appending)) {
            return;
        }
        try {
            appending.resume(length, checkpoint);
        } catch (PgFerryException e) {
            throw e;
        } catch (Exception e) {
            throw PgFerryException.fatal(
                    "the handler could not resume its output: " + e.getMessage(), "see the cause", e);
        }
    }

    /** The durable length of an appending handler's output at {@code lsn}; empty for any other handler. */
    OptionalLong durableLength(Lsn lsn) {
        if (!(handler instanceof AppendingHandler appending)) {
            return OptionalLong.empty();
        }
        try {
            return appending.durableLength(lsn);
        } catch (RuntimeException e) {
            throw failed(e);
        }
    }

    private byte[] prepare(PreparingHandler p, ChangeEvent change) {
        byte[] bytes;
        try {
            bytes = p.prepare(change);
        } catch (Exception e) {
            throw failed(e);
        }
        return Objects.requireNonNull(bytes, "PreparingHandler.prepare returned null");
    }

    /** Records {@code e} as the handler's failure and returns it to throw, a checked exception wrapped. */
    private RuntimeException failed(Exception e) {
        RuntimeException f = e instanceof RuntimeException r ? r : new HandlerException(e);
        failure = f;
        return f;
    }

    /** Whether {@code e} is, or was caused by, what the handler threw: it is then never logged. */
    boolean isFailure(Throwable e) {
        Throwable f = failure;
        for (Throwable t = e; t != null && f != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t == f) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code e} is exactly what the handler threw (not an exception of the stream caused by it). */
    boolean isFailureItself(Throwable e) {
        return e == failure;
    }

    /** A checked exception thrown by the handler, carried out of the assembler's callback. */
    static final class HandlerException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandlerException(Exception cause) {
            super("handler failed: " + cause.getMessage(), cause);
        }
    }
}
