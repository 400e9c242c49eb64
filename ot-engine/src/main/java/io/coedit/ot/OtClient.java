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
 * <p><b>Healing.</b> If the server's digest of its text (docs/PROTOCOL.md, "Digests") shows
 * that the local text is not the server's, the integrator calls {@link #beginHeal()}, lets the
 * operation in flight settle, reopens the document and hands the fresh text to
 * {@link #reopened}: what the person typed and the server has not committed is applied to the
 * fresh text as one edit, and nothing the server committed is sent again.
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
    private boolean healing;

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

    /**
     * The state. While {@linkplain #healing() healing}, edits wait in the buffer with nothing in
     * flight: that is {@link State#AWAITING_WITH_BUFFER} too, since they are not acknowledged.
     */
    public State state() {
        if (inFlight == null) {
            return buffer.isNoop() ? State.SYNCHRONIZED : State.AWAITING_WITH_BUFFER;
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
        if (inFlight == null && !healing) {
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
        if (buffer.isNoop() || healing) {
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
        }
        if (!buffer.isNoop()) {
            TextOperation buffered = TextOperation.transform(buffer, op, Side.RIGHT);
            op = TextOperation.transform(op, buffer, Side.LEFT);
            buffer = buffered;
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
        Selection s = inFlight == null ? remote : inFlight.op().transformSelection(remote, Side.LEFT);
        return buffer.isNoop() ? s : buffer.transformSelection(s, Side.LEFT);
    }

    // ---- healing ---------------------------------------------------------------------

    /**
     * What {@link #reopened} gives back.
     *
     * @param local the operation that turns the local text into the fresh text with the
     *     unsent edits applied to it
     * @param submission those edits, to send now, if there are any
     */
    public record Heal(TextOperation local, Optional<Submission> submission) {}

    /** Whether the client is healing: it sends nothing until {@link #reopened}. */
    public boolean healing() {
        return healing;
    }

    /**
     * The local text was found to differ from the server's. From now on nothing new is sent:
     * local edits wait in the buffer. An operation in flight still settles as usual (by its
     * acknowledgement, or {@link #inFlightRefused()}); remote operations may still be applied
     * meanwhile. Once {@link #inFlight()} is empty, the integrator reopens the document (the
     * {@code open} without a version) and passes the fresh text to {@link #reopened}; until
     * that answer comes it applies no remote operation, since the fresh text holds them.
     *
     * <p>Waiting for the operation in flight is what keeps an edit from being applied twice:
     * once it is acknowledged, the fresh text holds it, and it is not in the buffer; if it is
     * refused, the fresh text does not hold it, and it joins the buffer.
     */
    public void beginHeal() {
        healing = true;
    }

    /**
     * While healing: the server refused the operation in flight, so it was not committed. Its
     * edit joins the buffer, to be applied to the fresh text with the rest.
     *
     * @throws IllegalStateException if not healing or nothing is in flight
     */
    public void inFlightRefused() {
        if (!healing || inFlight == null) {
            throw new IllegalStateException("inFlightRefused() is for an operation in flight while healing");
        }
        buffer = TextOperation.compose(inFlight.op(), buffer);
        inFlight = null;
    }

    /**
     * Ends healing with the document reopened: the server's text at {@code version} is
     * {@code freshText}. {@code divergedText} is what this client held as the server's text at
     * {@link #version()}: its local text without the buffered edits. The difference between
     * the two (one replaced range, found by their common start and end) is applied as a remote
     * operation that wins ties, and the buffer is transformed past it and sent as one edit.
     *
     * @throws IllegalStateException if not healing, or an operation is still in flight
     * @throws IllegalArgumentException if the buffer does not fit {@code divergedText}
     */
    public Heal reopened(long version, String divergedText, String freshText) {
        if (!healing || inFlight != null) {
            throw new IllegalStateException(healing ? "reopened while an operation is still in flight: let it settle first"
                    : "reopened() without beginHeal()");
        }
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, got " + version);
        }
        TextOperation correction = difference(divergedText, freshText);
        TextOperation local = TextOperation.transform(correction, buffer, Side.LEFT);
        TextOperation unsent = TextOperation.transform(buffer, correction, Side.RIGHT);
        selection = local.transformSelection(selection, Side.LEFT);
        healing = false;
        this.version = version;
        buffer = TextOperation.NOOP;
        if (unsent.isNoop()) {
            return new Heal(local, Optional.empty());
        }
        inFlight = new Submission(version, nextSeq++, unsent);
        return new Heal(local, Optional.of(inFlight));
    }

    /** One replace that turns {@code from} into {@code to}: whatever lies between their common start and end. */
    static TextOperation difference(String from, String to) {
        int n = Math.min(from.length(), to.length());
        int start = 0;
        while (start < n && from.charAt(start) == to.charAt(start)) {
            start++;
        }
        if (start > 0 && start < from.length() && Character.isLowSurrogate(from.charAt(start))) {
            start--; // never split a pair
        }
        int end = 0;
        while (end < n - start && from.charAt(from.length() - 1 - end) == to.charAt(to.length() - 1 - end)) {
            end++;
        }
        if (end > 0 && end < from.length() - start && Character.isHighSurrogate(from.charAt(from.length() - 1 - end))) {
            end--;
        }
        int retain = from.codePointCount(0, start);
        int deleted = from.codePointCount(start, from.length() - end);
        String inserted = to.substring(start, to.length() - end);
        return TextOperation.builder().retain(retain).delete(deleted).insert(inserted).build();
    }

    private void checkNext(long v, String what) {
        if (v != version) {
            throw new IllegalStateException(what + " at version " + v + " but this client is at version "
                    + version + (v > version ? ": operations were missed" : ": already seen"));
        }
    }
}
