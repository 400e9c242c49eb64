package io.coedit.server.ws;

import io.coedit.server.auth.Access;
import io.coedit.server.auth.AuthenticationException;
import io.coedit.server.protocol.ClientMessage;
import io.coedit.server.protocol.ProtocolException;
import io.coedit.server.session.ErrorCode;
import io.coedit.server.session.Outgoing;
import io.coedit.server.session.Peer;
import io.coedit.server.session.ServerMessage;
import io.coedit.server.session.User;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.core.TyrusRemoteEndpoint;
import org.glassfish.tyrus.core.TyrusSession;
import org.glassfish.tyrus.core.TyrusWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection: the {@link Peer} the document service talks to, and the
 * endpoint Tyrus delivers that socket's frames to (one instance per connection).
 *
 * <p>Incoming frames are decoded and handed to the service, which only enqueues work, so
 * Grizzly's threads never wait on a document or the database.
 *
 * <p>Outgoing frames wait in a queue of our own and go to Tyrus one at a time: the next
 * is written when the previous one's write completed. Whoever queues a frame does not write
 * it: a connection with nothing in flight hands the write to the gateway's writer threads, so
 * a document's broadcast costs its thread a queue insertion per subscriber. A client that stops reading
 * therefore stalls its queue rather than Grizzly's, and the queue is capped, so it costs at
 * most {@link ConnectionLimits#maxQueuedBytes()}: past that the client is dropped.
 *
 * <p>Frames are written whole, from bytes built once per message ({@link OutgoingFrame}) and
 * shared by every connection a broadcast goes to, through the raw-frame path Tyrus's own
 * broadcast uses ({@code TyrusWebSocket.sendRawFrame}); Tyrus's {@code sendText} would encode
 * and frame the same text again for every subscriber. Tyrus offers that path to its endpoints
 * only through a package-private field, read reflectively once: if that fails (another Tyrus),
 * if an extension was negotiated, or with {@code -Dcoedit.ws.sharedFrames=false}, the
 * connection sends text through {@code sendText} as before. Either way frames go through the
 * same capped queue.
 *
 * <p>Public only because Tyrus calls the endpoint methods reflectively; nothing outside this
 * package can make one.
 */
public final class Connection extends jakarta.websocket.Endpoint implements Peer {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    private static final int MAX_FAILED_HELLOS = 3;
    private static final int MAX_TIMED_ACKS = 1_000;
    /** Documents one connection may have open at once; each costs the server a subscription. */
    static final int MAX_OPEN_DOCUMENTS = 256;
    /** A close that waits for queued frames (say, the error explaining it) waits this long at most. */
    private static final long CLOSE_DRAIN_MILLIS = 5_000;
    /** The close code when the token expires (4000-4999: for applications; 401 as in HTTP). */
    static final int TOKEN_EXPIRED = 4401;
    /** Tyrus's socket behind an endpoint's remote, for {@code sendRawFrame}; null if unreachable or turned off. */
    private static final Field TYRUS_SOCKET = sharedFramesField();

    private enum State { OPEN, CLOSING, DEAD }

    private final WebSocketGateway gateway;
    private Session session;
    /** Where whole frames are written, or null: then text goes through {@code sendText}. */
    private TyrusWebSocket rawSocket;
    private String remoteAddress = "?";
    /** The TCP connection under the session, or null if unreachable (see {@link TcpSocket}). */
    private TcpSocket tcp;
    /** Set once the session is over and its socket has been handed to the gateway to let go. */
    private final java.util.concurrent.atomic.AtomicBoolean socketLetGo = new java.util.concurrent.atomic.AtomicBoolean();

    // Who: written once by hello (on the connection's read thread), read by document threads.
    private volatile Access access;
    private volatile String clientId;
    private volatile User user;
    private volatile boolean batched;
    private int failedHellos;
    /** Ends the connection when its token expires; null if it does not. */
    private volatile java.util.concurrent.ScheduledFuture<?> expiry;

    private final RateLimiter rate;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean pinged;
    /** When each op awaiting its ack arrived, for the ack latency timer: "doc\nseq" → nanos. */
    private final Map<String, Long> opArrivals = new ConcurrentHashMap<>();
    /**
     * Documents this connection asked to open and did not close. On disconnect each gets a
     * close through its own queue, behind the open: the service's own record of what a peer
     * has open is written by the document queues, so it misses an open still in flight.
     */
    private final Set<String> requested = ConcurrentHashMap.newKeySet();

    // Outgoing, guarded by this.
    private final ArrayDeque<OutgoingFrame> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean writing;
    private State state = State.OPEN;
    private CloseReason closeWhenDrained;
    private Thread writerThread; // the thread inside sendText, to notice completions that happen inline
    private boolean completedInline;

    Connection(WebSocketGateway gateway) {
        this.gateway = gateway;
        this.rate = new RateLimiter(gateway.limits.maxOpsPerSecond());
    }

    // ---- Tyrus endpoint ----------------------------------------------------------------

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        this.session = session;
        if (session instanceof TyrusSession t && t.getRemoteAddr() != null) {
            remoteAddress = t.getRemoteAddr();
        }
        tcp = TcpSocket.of(session);
        if (!gateway.admit(remoteAddress, tcp)) {
            synchronized (this) {
                state = State.DEAD;
            }
            log.info("refusing a connection from {}: it already holds {} or more", remoteAddress,
                    gateway.limits.maxSessionsPerAddress());
            closeSession(new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "too many connections from this address"));
            return;
        }
        rawSocket = rawSocketOf(session);
        // Tyrus applies this to fragmented messages; whole frames are measured in onText.
        session.setMaxTextMessageBufferSize(gateway.limits.maxMessageBytes());
        session.setMaxBinaryMessageBufferSize(1024);
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) this::onText);
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) b -> {
            heard();
            error(new ServerMessage.Error(ErrorCode.BAD_REQUEST, "binary frames are not part of the protocol; "
                    + "send JSON text frames", null, null));
        });
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) p -> heard());
        gateway.opened(this);
        log.debug("connection from {}", remoteAddress);
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        synchronized (this) {
            state = State.DEAD;
            queue.clear();
            queuedBytes = 0;
        }
        java.util.concurrent.ScheduledFuture<?> pendingExpiry = expiry;
        if (pendingExpiry != null) {
            pendingExpiry.cancel(false);
        }
        gateway.closed(this);
        letSocketGo();
        log.debug("connection from {} closed: {}", remoteAddress, reason);
    }

    @Override
    public void onError(Session session, Throwable error) {
        // A reset peer or a write to a closed socket; onClose follows.
        log.debug("connection from {}: {}", remoteAddress, error.toString());
    }

    // ---- incoming ----------------------------------------------------------------------

    private void heard() {
        lastHeardNanos = System.nanoTime();
        pinged = false;
    }

    private void onText(String frame) {
        heard();
        if (isGone()) {
            return;
        }
        if (expired()) {
            expire(); // the timer has not got to it yet: nothing more is taken from this token
            return;
        }
        int bytes = utf8Length(frame, gateway.limits.maxMessageBytes());
        if (bytes > gateway.limits.maxMessageBytes()) {
            error(new ServerMessage.Error(ErrorCode.TOO_LARGE, "a message of " + bytes + " bytes is larger than the limit of "
                    + gateway.limits.maxMessageBytes() + " bytes", null, null));
            closeAfterQueued(new CloseReason(CloseReason.CloseCodes.TOO_BIG, "message too large"), "too_large");
            return;
        }
        ClientMessage message;
        try {
            message = gateway.codec.decode(frame);
        } catch (ProtocolException e) {
            error(e.error());
            return;
        }
        try {
            dispatch(message);
        } catch (RuntimeException e) {
            log.error("request from {} failed: {}", remoteAddress, message.getClass().getSimpleName(), e);
            error(new ServerMessage.Error(ErrorCode.INTERNAL, "the server failed to handle the request", null, null));
        }
    }

    private void dispatch(ClientMessage message) {
        if (message instanceof ClientMessage.Ping) {
            enqueue(new OutgoingFrame(gateway.codec.pong()));
            return;
        }
        if (message instanceof ClientMessage.Hello hello) {
            hello(hello);
            return;
        }
        if (access == null) {
            error(new ServerMessage.Error(ErrorCode.HELLO_REQUIRED, "send hello before anything else", null, null));
            return;
        }
        if (message instanceof ClientMessage.Open m) {
            if (!requested.contains(m.doc()) && requested.size() >= MAX_OPEN_DOCUMENTS) {
                error(new ServerMessage.Error(ErrorCode.TOO_LARGE, "at most " + MAX_OPEN_DOCUMENTS
                        + " documents may be open on one connection; close one first", m.doc(), null));
                return;
            }
            requested.add(m.doc());
            gateway.service.open(this, m.doc(), m.version());
        } else if (message instanceof ClientMessage.Close m) {
            requested.remove(m.doc());
            gateway.service.close(this, m.doc());
        } else if (message instanceof ClientMessage.Op m) {
            if (limited(m.doc(), m.seq())) {
                return;
            }
            if (opArrivals.size() < MAX_TIMED_ACKS) {
                opArrivals.put(m.doc() + "\n" + m.seq(), System.nanoTime());
            }
            gateway.service.submit(this, m.doc(), m.version(), m.seq(), m.op());
        } else if (message instanceof ClientMessage.Presence m) {
            if (!limited(m.doc(), null)) {
                gateway.service.presence(this, m.doc(), m.version(), m.selection());
            }
        } else if (message instanceof ClientMessage.Chat m) {
            if (!limited(m.doc(), null)) {
                gateway.service.chat(this, m.doc(), m.text());
            }
        } else if (message instanceof ClientMessage.Diverged m) {
            if (!limited(m.doc(), null)) {
                // No reply: the client reopens the document. Someone should find out why.
                gateway.metrics.divergence();
                log.warn("client {} of user {} at {} found document {} diverged at version {}: server digest {}, client digest {}",
                        clientId, user.id(), remoteAddress, m.doc(), m.version(), m.digest(), m.clientDigest());
            }
        }
    }

    private void hello(ClientMessage.Hello hello) {
        if (access != null) {
            error(new ServerMessage.Error(ErrorCode.BAD_REQUEST, "hello was already received on this connection", null, null));
            return;
        }
        Access granted;
        try {
            granted = gateway.auth.authenticate(hello.token());
        } catch (AuthenticationException e) {
            error(new ServerMessage.Error(e.code(), e.getMessage(), null, null));
            if (++failedHellos >= MAX_FAILED_HELLOS) {
                closeAfterQueued(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "too many failed hellos"),
                        "unauthorized");
            }
            return;
        }
        String id = hello.clientId() != null && granted.mayUseClientId(hello.clientId())
                ? hello.clientId() : granted.newClientId();
        clientId = id;
        user = granted.user(id, hello.name());
        batched = hello.batch();
        access = granted; // last: publishes clientId, user and batched to the threads that check access
        enqueue(new OutgoingFrame(gateway.codec.welcome(id, user, batched)));
        if (granted.expires() != null) {
            long in = Math.max(0, granted.expires().toEpochMilli() - System.currentTimeMillis());
            expiry = gateway.timer().schedule(this::expire, in, TimeUnit.MILLISECONDS);
            if (isGone()) {
                expiry.cancel(false); // closed meanwhile: onClose found nothing to cancel
            }
        }
    }

    /** Whether the token of this connection has expired (its {@code exp} plus the allowed skew has passed). */
    private boolean expired() {
        Access a = access;
        return a != null && a.expires() != null && System.currentTimeMillis() >= a.expires().toEpochMilli();
    }

    /** The token expired: says so, then closes (4401); the client may connect again with a fresh token. */
    private void expire() {
        if (isGone()) {
            return;
        }
        error(new ServerMessage.Error(ErrorCode.UNAUTHORIZED, "the token expired; connect again with a fresh token",
                null, null));
        closeAfterQueued(new CloseReason(CloseReason.CloseCodes.getCloseCode(TOKEN_EXPIRED), "token expired"),
                "token_expired");
    }

    /** Takes one token from the rate limit, or answers rate_limited (and drops a client that keeps at it). */
    private boolean limited(String doc, Long seq) {
        RateLimiter.Verdict verdict = rate.acquire(System.nanoTime());
        if (verdict == RateLimiter.Verdict.ALLOWED) {
            return false;
        }
        error(new ServerMessage.Error(ErrorCode.RATE_LIMITED, "more than " + gateway.limits.maxOpsPerSecond()
                + " op, presence and chat messages per second on this connection; nothing was applied, send it again later",
                doc, seq));
        if (verdict == RateLimiter.Verdict.ABUSIVE) {
            closeAfterQueued(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "rate limit exceeded repeatedly"),
                    "rate_limited");
        }
        return true;
    }

    // ---- Peer --------------------------------------------------------------------------

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public User user() {
        return user;
    }

    @Override
    public boolean batched() {
        return batched;
    }

    @Override
    public boolean canRead(String docId) {
        Access a = access;
        return a != null && a.canRead(docId);
    }

    @Override
    public boolean canWrite(String docId) {
        Access a = access;
        return a != null && a.canWrite(docId);
    }

    @Override
    public void send(Outgoing message) {
        ServerMessage m = message.message();
        if (m instanceof ServerMessage.Ack ack) {
            Long arrived = opArrivals.remove(ack.doc() + "\n" + ack.seq());
            if (arrived != null) {
                gateway.metrics.ackLatency(System.nanoTime() - arrived);
            }
        } else if (m instanceof ServerMessage.Ops ops && !opArrivals.isEmpty()) {
            // A batched client's own operations in the frame are its acks.
            for (ServerMessage.OpEntry op : ops.ops()) {
                if (op.clientId().equals(clientId)) {
                    Long arrived = opArrivals.remove(ops.doc() + "\n" + op.seq());
                    if (arrived != null) {
                        gateway.metrics.ackLatency(System.nanoTime() - arrived);
                    }
                }
            }
        } else if (m instanceof ServerMessage.Error e) {
            gateway.metrics.error(e.code());
            if (e.seq() != null) {
                opArrivals.remove(e.doc() + "\n" + e.seq());
            }
        }
        // One OutgoingFrame per message, shared by every connection it is sent to.
        enqueue(message.encoded(encodable -> new OutgoingFrame(gateway.codec.encode(encodable))));
    }

    private void error(ServerMessage.Error error) {
        send(new Outgoing(error));
    }

    // ---- outgoing ----------------------------------------------------------------------

    private void enqueue(OutgoingFrame frame) {
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
            drop(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "outgoing queue full: the client is not reading"),
                    "slow_reader");
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
                    // A TyrusFuture, completed by the write's completion handler like sendText's.
                    CompletableFuture<?> sent = (CompletableFuture<?>) rawSocket.sendRawFrame(ByteBuffer.wrap(current.wire()));
                    sent.whenComplete((ignored, failure) -> written(current,
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
            log.debug("write to {} failed: {}", remoteAddress, String.valueOf(result.getException()));
            closeSession(new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "write failed"));
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
                gateway.timer().execute(() -> closeSession(reason));
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
            closeSession(reason);
        } else {
            gateway.timer().schedule(() -> drop(reason, null), CLOSE_DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Closes now, discarding whatever is queued, and leaves every document at once. */
    void drop(CloseReason reason, String metricReason) {
        synchronized (this) {
            if (state == State.DEAD) {
                return;
            }
            state = State.DEAD;
            queue.clear();
            closeWhenDrained = null;
        }
        if (metricReason != null) {
            gateway.metrics.dropped(metricReason);
        }
        log.info("closing connection from {} ({}): {}", remoteAddress, clientId == null ? "no hello" : clientId,
                reason.getReasonPhrase());
        gateway.closed(this); // the others see it leave now, not when the socket finally goes
        closeSession(reason);
    }

    private void closeSession(CloseReason reason) {
        try {
            session.close(reason);
        } catch (IOException | RuntimeException e) {
            log.debug("closing the connection from {}: {}", remoteAddress, e.toString());
        }
        letSocketGo();
    }

    /**
     * The session is over; its socket goes too, at the latest after the close grace, even if
     * the client reads neither what was being written nor the close (see {@link TcpSocket}).
     */
    private void letSocketGo() {
        if (socketLetGo.compareAndSet(false, true)) {
            gateway.letGo(remoteAddress, tcp);
        }
    }

    private synchronized boolean isGone() {
        return state != State.OPEN;
    }

    // ---- for the gateway ---------------------------------------------------------------

    /** Called by the gateway's timer: pings a quiet client, closes a silent one. */
    void checkIdle(long nowNanos) {
        long silent = nowNanos - lastHeardNanos;
        long timeout = gateway.limits.idleTimeout().toNanos();
        if (silent > timeout) {
            drop(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "idle for more than "
                    + gateway.limits.idleTimeout().toMillis() + " ms"), "idle");
        } else if (silent > timeout / 2 && !pinged && !isGone()) {
            pinged = true;
            try {
                // Browsers answer pings themselves, even in a background tab whose timers are throttled.
                session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
            } catch (IOException | RuntimeException e) {
                log.debug("ping to {} failed: {}", remoteAddress, e.toString());
            }
        }
    }

    String remoteAddress() {
        return remoteAddress;
    }

    /** The documents to close when this connection goes; see {@link #requested}. */
    Set<String> requestedDocuments() {
        return requested;
    }

    private static Field sharedFramesField() {
        if (!Boolean.parseBoolean(System.getProperty("coedit.ws.sharedFrames", "true"))) {
            return null;
        }
        try {
            Field f = TyrusRemoteEndpoint.class.getDeclaredField("webSocket");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Tyrus's raw frame path is not reachable ({}): each connection frames its own text", e.toString());
            return null;
        }
    }

    /** Whether connections write shared frames (Tyrus's raw frame path was found and is not turned off). */
    static boolean sharedFramesReachable() {
        return TYRUS_SOCKET != null;
    }

    /** Where this session's whole frames can be written, or null (see the class comment). */
    private static TyrusWebSocket rawSocketOf(Session session) {
        if (TYRUS_SOCKET == null || !session.getNegotiatedExtensions().isEmpty()) {
            return null;
        }
        try {
            return TYRUS_SOCKET.get(session.getAsyncRemote()) instanceof TyrusWebSocket socket ? socket : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The UTF-8 length of {@code s} when it may exceed {@code limit}; a lower bound when it cannot. */
    static int utf8Length(String s, int limit) {
        if ((long) s.length() * 3 <= limit) {
            return s.length(); // cannot exceed the limit; the exact figure is not needed
        }
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
