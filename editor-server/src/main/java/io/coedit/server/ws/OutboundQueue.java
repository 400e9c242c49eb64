package io.coedit.server.ws;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's outgoing frames, between whoever sends a message and Tyrus, and the
 * connection's life as far as writing goes: open, closing once drained, dead.
 *
 * <p>Frames wait in a queue of our own and go to Tyrus one at a time: the next is written when
 * the previous one's write completed. Whoever queues a frame does not write it: a connection
 * with nothing in flight hands the write to the gateway's writer threads, so a document's
 * broadcast costs its thread a queue insertion per subscriber. A client that stops reading
 * therefore stalls its queue rather than Grizzly's, and the queue is capped, so it costs at
 * most {@link ConnectionLimits#maxQueuedBytes()}: past that the client is dropped.
 *
 * <p>A close that has something to say first (the error that explains it) waits here until
 * the frames queued before it are written, {@value #CLOSE_DRAIN_MILLIS} ms at most; the state
 * lives beside the queue because the two change together, under one lock.
 *
 * <p>Threads: frames are queued by document threads and the read thread, written by the
 * gateway's writers and continued by Grizzly's completion threads, and the close comes from the
 * read thread, the timer or a failed write. Everything that changes is guarded by this queue's
 * monitor, and the monitor is never held while calling out (a write, a session close, the
 * connection's drop), so it never nests inside Tyrus's locks or the connection's. The session
 * and raw socket are set once by {@link #attach}, before the first frame can be queued, and
 * reach the writer threads through the executor's hand-over.
 */
final class OutboundQueue {
    /** Logs as the connection it serves, so the log reads as before this was a class of its own. */
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /** A close that waits for queued frames (say, the error explaining it) waits this long at most. */
    private static final long CLOSE_DRAIN_MILLIS = 5_000;

    private enum State { OPEN, CLOSING, DEAD }

    private final Connection connection;
    private final WebSocketGateway gateway;
    private Session session;
    /** Where whole frames are written, or null: then text goes through {@code sendText}. */
    private RawFrameSocket rawSocket;

    // Guarded by this.
    private final ArrayDeque<OutgoingFrame> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean writing;
    private State state = State.OPEN;
    private CloseReason closeWhenDrained;
    private Thread writerThread; // the thread inside sendText, to notice completions that happen inline
    private boolean completedInline;

    OutboundQueue(Connection connection, WebSocketGateway gateway) {
        this.connection = connection;
        this.gateway = gateway;
    }

    /** The session frames go to, once the connection is admitted; {@code rawSocket} may be null. */
    void attach(Session session, RawFrameSocket rawSocket) {
        this.session = session;
        this.rawSocket = rawSocket;
    }

    void enqueue(OutgoingFrame frame) {
        long size = frame.queuedBytes();
        OutgoingFrame first;
        synchronized (this) {
            if (state != State.OPEN) {
                return;
            }
            // A frame always fits an empty queue, so one big opened message is never refused.
            if (writing && queuedBytes + size > gateway.limits.maxQueuedBytes()) {
                first = null;
            } else {
                queuedBytes += size;
                if (writing) {
                    queue.add(frame);
                    return;
                }
                writing = true;
                first = frame;
            }
        }
        if (first == null) {
            connection.drop(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY,
                    "outgoing queue full: the client is not reading"), "slow_reader");
            return;
        }
        // Not on the caller's thread: a document's broadcast only queues, the gateway's writers write.
        try {
            gateway.writers().execute(() -> write(first));
        } catch (RejectedExecutionException e) {
            write(first); // the gateway is closing: write here, as the last acks must still go
        }
    }

    /**
     * Writes {@code frame} and what queues up behind it. When Grizzly completes a write
     * inline (the socket had room), the loop continues here instead of recursing from the
     * completion handler, so a long catch-up cannot overflow the stack.
     */
    private void write(OutgoingFrame frame) {
        OutgoingFrame next = frame;
        while (next != null) {
            OutgoingFrame current = next;
            synchronized (this) {
                writerThread = Thread.currentThread();
                completedInline = false;
            }
            try {
                if (rawSocket != null) {
                    rawSocket.send(current.wire()).whenComplete((ignored, failure) -> written(current,
                            failure == null ? new SendResult(session) : new SendResult(session, failure)));
                } else {
                    session.getAsyncRemote().sendText(current.text, result -> written(current, result));
                }
            } catch (RuntimeException e) {
                written(current, new SendResult(session, e));
            }
            synchronized (this) {
                writerThread = null;
                if (!completedInline) {
                    return; // the completion handler carries on
                }
                next = takeNext();
            }
        }
    }

    private void written(OutgoingFrame frame, SendResult result) {
        OutgoingFrame next;
        synchronized (this) {
            queuedBytes -= frame.queuedBytes();
            if (!result.isOK()) {
                writing = false;
                state = State.DEAD;
                queue.clear();
                next = null;
            } else if (writerThread == Thread.currentThread()) {
                completedInline = true;
                return;
            } else {
                next = takeNext();
            }
        }
        if (!result.isOK()) {
            log.debug("write to {} failed: {}", connection.remoteAddress(), String.valueOf(result.getException()));
            connection.closeSession(new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "write failed"));
            return;
        }
        if (next != null) {
            write(next);
        }
    }

    /** The next queued frame, or null with {@code writing} cleared; closes if a close waits for the drain. Holds this. */
    private OutgoingFrame takeNext() {
        OutgoingFrame next = queue.poll();
        if (next == null) {
            writing = false;
            if (closeWhenDrained != null) {
                CloseReason reason = closeWhenDrained;
                closeWhenDrained = null;
                state = State.DEAD;
                gateway.timer().execute(() -> connection.closeSession(reason));
            }
        }
        return next;
    }

    /** Closes once the frames already queued (say, the error that explains why) are written. */
    void closeAfterQueued(CloseReason reason, String metricReason) {
        boolean now;
        synchronized (this) {
            if (state != State.OPEN) {
                return;
            }
            state = State.CLOSING;
            now = !writing;
            if (!writing) {
                state = State.DEAD;
            } else {
                closeWhenDrained = reason;
            }
        }
        gateway.metrics.dropped(metricReason);
        if (now) {
            connection.closeSession(reason);
        } else {
            gateway.timer().schedule(() -> connection.drop(reason, null), CLOSE_DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Discards whatever is queued and takes no more; false if that had already happened. */
    synchronized boolean abandon() {
        if (state == State.DEAD) {
            return false;
        }
        state = State.DEAD;
        queue.clear();
        closeWhenDrained = null;
        return true;
    }

    /** The session is closed: nothing more is written, and nothing queued counts any longer. */
    synchronized void closed() {
        state = State.DEAD;
        queue.clear();
        queuedBytes = 0;
    }

    /** Whether frames are still taken (no close has begun). */
    synchronized boolean isOpen() {
        return state == State.OPEN;
    }
}
