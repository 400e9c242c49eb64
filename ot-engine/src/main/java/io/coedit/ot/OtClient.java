package io.coedit.ot;

import java.util.Optional;

/**
 * The client half of central-server OT, free of any transport: it decides what to send,
 * and rewrites what arrives, so that a client's document always equals the server's
 * history at {@link #version()} followed by the client's own unacknowledged edits.
 *
 * <p>It is always in one of three states:
 * <ul>
 *   <li>{@link State#SYNCHRONIZED}: nothing unacknowledged;</li>
 *   <li>{@link State#AWAITING_CONFIRM}: one operation sent, not yet acknowledged;</li>
 *   <li>{@link State#AWAITING_WITH_BUFFER}: one sent, and edits made since composed into a
 *       single buffered operation that goes out when the first is acknowledged.</li>
 * </ul>
 * Keeping one operation in flight means the server transforms each client operation
 * against at most the history it missed, and the client never has to guess what the
 * server did with it.
 *
 * <p>Versions count committed operations: an operation "at version v" applies to the
 * document after v operations. Each submission carries a sequence number that grows by
 * one per submission, so that a server can recognise a resubmission after a reconnect.
 *
 * <p>The last server operations win ties with local ones: a remote insert at the same
 * position as a pending local insert stays before it, matching a server that transforms
 * incoming operations as {@link Side#RIGHT}.
 *
 * <p>Not thread-safe.
 */
public final class OtClient {

    /** The three states of a client. */
    public enum State {
        SYNCHRONIZED,
        AWAITING_CONFIRM,
        AWAITING_WITH_BUFFER
    }

    /** An operation to send: based on server {@code version}, numbered {@code seq}. */
    public record Submission(long version, long seq, TextOperation op) {}

    private long version;
    private long nextSeq;
    private Submission inFlight;
    private TextOperation buffer = TextOperation.NOOP;
    private Selection selection = Selection.caret(0);

    /** A synchronised client at server {@code version}, numbering its first submission 1. */
    public OtClient(long version) {
        this(version, 1);
    }

    /** A synchronised client at server {@code version} whose next submission is numbered {@code nextSeq}. */
    public OtClient(long version, long nextSeq) {
        if (version < 0 || nextSeq < 1) {
            throw new IllegalArgumentException("version must be >= 0 and nextSeq >= 1, got " + version + ", " + nextSeq);
        }
        this.version = version;
        this.nextSeq = nextSeq;
    }

    public State state() {
        if (inFlight == null) {
            return State.SYNCHRONIZED;
        }
        return buffer.isNoop() ? State.AWAITING_CONFIRM : State.AWAITING_WITH_BUFFER;
    }

    /** The server version the client has seen every operation up to. */
    public long version() {
        return version;
    }

    /** The sequence number the next submission will get. */
    public long nextSeq() {
        return nextSeq;
    }

    /** The submission awaiting acknowledgement, if any. */
    public Optional<Submission> inFlight() {
        return Optional.ofNullable(inFlight);
    }

    /** Local edits waiting behind the one in flight, composed; {@link TextOperation#NOOP} if none. */
    public TextOperation buffer() {
        return buffer;
    }

    /** The local selection, kept in place across remote operations. */
    public Selection selection() {
        return selection;
    }

    /** Records where the local user's selection now is (after a local edit or a click). */
    public void setSelection(Selection selection) {
        this.selection = selection;
    }

    /**
     * The user changed the document by {@code op}, already applied locally.
     *
     * @return the submission to send now, or empty if the operation waits in the buffer
     *     (or changes nothing)
     */
    public Optional<Submission> applyLocal(TextOperation op) {
        if (op.isNoop()) {
            return Optional.empty();
        }
        if (inFlight == null) {
            inFlight = new Submission(version, nextSeq++, op);
            return Optional.of(inFlight);
        }
        buffer = TextOperation.compose(buffer, op);
        return Optional.empty();
    }

    /**
     * The server committed the in-flight submission {@code seq} as version
     * {@code committedVersion}, which must be the next version this client expects.
     *
     * <p>An acknowledgement of a submission that was already acknowledged (a resubmission
     * the server recognised, after the client had seen its own operation in the history)
     * is ignored.
     *
     * @return the buffered edits, now to be sent, if there are any
     * @throws IllegalStateException if {@code seq} was never submitted, or the version
     *     skips operations this client has not seen
     */
    public Optional<Submission> acknowledge(long seq, long committedVersion) {
        if (inFlight == null || inFlight.seq() != seq) {
            if (seq > 0 && seq < nextSeq) {
                return Optional.empty();
            }
            throw new IllegalStateException("acknowledgement of seq " + seq + ", which was never submitted");
        }
        checkNext(committedVersion, "acknowledged");
        version = committedVersion + 1;
        inFlight = null;
        if (buffer.isNoop()) {
            return Optional.empty();
        }
        inFlight = new Submission(version, nextSeq++, buffer);
        buffer = TextOperation.NOOP;
        return Optional.of(inFlight);
    }

    /**
     * Another client's operation, committed by the server at {@code baseVersion}, which
     * must be the next version this client expects.
     *
     * @return the operation to apply to the local document, which includes local edits the
     *     server has not seen yet
     * @throws IllegalStateException if the version skips or repeats operations
     */
    public TextOperation applyRemote(long baseVersion, TextOperation op) {
        checkNext(baseVersion, "remote op");
        version = baseVersion + 1;
        if (inFlight != null) {
            TextOperation mine = TextOperation.transform(inFlight.op(), op, Side.RIGHT);
            op = TextOperation.transform(op, inFlight.op(), Side.LEFT);
            inFlight = new Submission(baseVersion + 1, inFlight.seq(), mine);
            if (!buffer.isNoop()) {
                TextOperation buffered = TextOperation.transform(buffer, op, Side.RIGHT);
                op = TextOperation.transform(op, buffer, Side.LEFT);
                buffer = buffered;
            }
        }
        selection = op.transformSelection(selection, Side.LEFT);
        return op;
    }

    /**
     * After a reconnect: the in-flight submission to send again, with the same sequence
     * number, so a server that already committed it acknowledges it instead of applying
     * it twice. Its operation and version are the in-flight operation as transformed by
     * every remote operation seen since it was first sent.
     */
    public Optional<Submission> resend() {
        return Optional.ofNullable(inFlight);
    }

    /**
     * Moves a peer's selection, expressed at server version {@link #version()}, into the
     * local document, which also has the local unacknowledged edits applied.
     */
    public Selection transformIncoming(Selection remote) {
        if (inFlight == null) {
            return remote;
        }
        return buffer.transformSelection(inFlight.op().transformSelection(remote, Side.LEFT), Side.LEFT);
    }

    private void checkNext(long v, String what) {
        if (v != version) {
            throw new IllegalStateException(what + " at version " + v + " but this client is at version "
                    + version + (v > version ? ": operations were missed" : ": already seen"));
        }
    }
}
