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
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.glassfish.tyrus.core.TyrusSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection: the {@link Peer} the document service talks to, and the
 * endpoint Tyrus delivers that socket's frames to (one instance per connection).
 *
 * <p>Incoming frames are decoded and handed to the service, which only enqueues work, so
 * Grizzly's threads never wait on a document or the database.
 *
 * <p>Outgoing frames wait in a capped queue of our own ({@link OutboundQueue}), written by the
 * gateway's writer threads, so a client that stops reading stalls that queue, not a document.
 * They are written whole, from bytes built once per message ({@link OutgoingFrame}) and shared
 * by every connection a broadcast goes to, through Tyrus's raw-frame path
 * ({@link RawFrameSocket}) where it is reachable, else as text through {@code sendText}.
 *
 * <p>This class keeps what the endpoint itself decides: who the client is (hello), what each
 * message does (dispatch), and when the connection ends. The rest has a room of its own, each
 * with its reasons: {@link IdleWatch} (ping a quiet client, drop a silent one),
 * {@link TokenExpiry} (end the connection with its token), {@link AckLatency} (time each op
 * until its answer), {@link RateLimiter}, and {@link TcpSocket} (the socket under the session).
 *
 * <p>Threads: Tyrus calls {@code onOpen}, the message handlers and, as a rule, {@code onClose}
 * on the connection's read thread, one at a time; document threads call {@link #send}; the
 * gateway's timer checks idleness and token expiry; a failed write or a lost socket ends the
 * connection on whichever thread saw it. Who the client is is written once, at hello, and
 * published by the volatile {@code access}; whether the connection is still open is
 * {@link OutboundQueue}'s state, under its lock; the documents asked for, and whether the gateway
 * has let go, are under {@link #requested}'s lock. No lock is held while calling out, except
 * that one around handing an open to the service, which only queues it.
 *
 * <p>Public only because Tyrus calls the endpoint methods reflectively; nothing outside this
 * package can make one.
 */
public final class Connection extends jakarta.websocket.Endpoint implements Peer {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    private static final int MAX_FAILED_HELLOS = 3;
    /** Documents one connection may have open at once; each costs the server a subscription. */
    static final int MAX_OPEN_DOCUMENTS = 256;
    /** The close code when the token expires (4000-4999: for applications; 401 as in HTTP). */
    static final int TOKEN_EXPIRED = 4401;

    private final WebSocketGateway gateway;
    private Session session;
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
    private final TokenExpiry expiry;

    private final RateLimiter rate;
    private final IdleWatch idle;
    private final AckLatency ackLatency;
    /**
     * Documents this connection asked to open and did not close. On disconnect each gets a
     * close through its own queue, behind the open: the service's own record of what a peer
     * has open is written by the document queues, so it misses an open still in flight.
     *
     * <p>Guarded by itself, with {@link #left}: the connection can end on another thread while
     * its read thread handles an open (a failed write, a lost socket, the idle timer), so an
     * open is recorded here and handed to the service in one step, and {@link #leave} either
     * finds it or makes it refused. Checked and then opened apart, the open could land after
     * the gateway had closed everything, and the document would keep a subscriber for good.
     */
    private final Set<String> requested = ConcurrentHashMap.newKeySet();
    /** Set once the gateway has let go of this connection: no open is handed to the service after it. */
    private boolean left;

    private final OutboundQueue outbound;

    Connection(WebSocketGateway gateway) {
        this.gateway = gateway;
        this.rate = new RateLimiter(gateway.limits.maxOpsPerSecond());
        this.outbound = new OutboundQueue(this, gateway);
        this.ackLatency = new AckLatency(gateway.metrics);
        this.idle = new IdleWatch(this, gateway.limits);
        this.expiry = new TokenExpiry(this, gateway);
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
            outbound.closed();
            log.info("refusing a connection from {}: it already holds {} or more", remoteAddress,
                    gateway.limits.maxSessionsPerAddress());
            closeSession(new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "too many connections from this address"));
            return;
        }
        outbound.attach(session, RawFrameSocket.of(session));
        // Tyrus applies this to fragmented messages; whole frames are measured in onText.
        session.setMaxTextMessageBufferSize(gateway.limits.maxMessageBytes());
        session.setMaxBinaryMessageBufferSize(1024);
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) this::onText);
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) b -> {
            idle.heard();
            error(new ServerMessage.Error(ErrorCode.BAD_REQUEST, "binary frames are not part of the protocol; "
                    + "send JSON text frames", null, null));
        });
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) p -> idle.heard());
        gateway.opened(this);
        log.debug("connection from {}", remoteAddress);
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        ended();
        log.debug("connection from {} closed: {}", remoteAddress, reason);
    }

    @Override
    public void onError(Session session, Throwable error) {
        // A reset peer or a write to a closed socket; onClose follows.
        log.debug("connection from {}: {}", remoteAddress, error.toString());
    }

    // ---- incoming ----------------------------------------------------------------------

    private void onText(String frame) {
        idle.heard();
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
            synchronized (requested) {
                if (left) {
                    return; // ended on another thread meanwhile: its documents are closed already
                }
                if (requested.contains(m.doc()) || requested.size() < MAX_OPEN_DOCUMENTS) {
                    requested.add(m.doc());
                    gateway.service.open(this, m.doc(), m.version()); // only queues: cheap under the lock
                    return;
                }
            }
            error(new ServerMessage.Error(ErrorCode.TOO_LARGE, "at most " + MAX_OPEN_DOCUMENTS
                    + " documents may be open on one connection; close one first", m.doc(), null));
        } else if (message instanceof ClientMessage.Close m) {
            synchronized (requested) {
                requested.remove(m.doc());
            }
            gateway.service.close(this, m.doc());
        } else if (message instanceof ClientMessage.Op m) {
            if (limited(m.doc(), m.seq())) {
                return;
            }
            ackLatency.arrived(m.doc(), m.seq());
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
            expiry.start(granted.expires());
        }
    }

    /** Whether the token of this connection has expired (its {@code exp} plus the allowed skew has passed). */
    private boolean expired() {
        Access a = access;
        return a != null && a.expires() != null && System.currentTimeMillis() >= a.expires().toEpochMilli();
    }

    /** The token expired: says so, then closes (4401); the client may connect again with a fresh token. */
    void expire() {
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
        if (m instanceof ServerMessage.Error e) {
            gateway.metrics.error(e.code());
        }
        ackLatency.sending(m, clientId);
        // One OutgoingFrame per message, shared by every connection it is sent to.
        enqueue(message.encoded(encodable -> new OutgoingFrame(gateway.codec.encode(encodable))));
    }

    private void error(ServerMessage.Error error) {
        send(new Outgoing(error));
    }

    // ---- outgoing ----------------------------------------------------------------------

    private void enqueue(OutgoingFrame frame) {
        outbound.enqueue(frame);
    }

    /** Closes once the frames already queued (say, the error that explains why) are written. */
    void closeAfterQueued(CloseReason reason, String metricReason) {
        outbound.closeAfterQueued(reason, metricReason);
    }

    /** Closes now, discarding whatever is queued, and leaves every document at once. */
    void drop(CloseReason reason, String metricReason) {
        if (!outbound.abandon()) {
            return;
        }
        if (metricReason != null) {
            gateway.metrics.dropped(metricReason);
        }
        log.info("closing connection from {} ({}): {}", remoteAddress, clientId == null ? "no hello" : clientId,
                reason.getReasonPhrase());
        gateway.closed(this); // the others see it leave now, not when the socket finally goes
        closeSession(reason);
    }

    /** Ends the session with {@code reason} and lets its socket go; the outbound queue calls it once drained. */
    void closeSession(CloseReason reason) {
        try {
            session.close(reason);
        } catch (IOException | RuntimeException e) {
            log.debug("closing the connection from {}: {}", remoteAddress, e.toString());
        }
        // Tyrus reports the end through onClose, from inside session.close as a rule. But when the
        // client's close or the lost socket is being handled on another thread at that moment,
        // Tyrus 2.2.2 can lose the report: TyrusSession.setState checks the state, the close above
        // sets it, and the re-check throws inside Tyrus's onClose before it calls ours (seen in the
        // churn test: a connection, its peer and its document held until the idle timeout). So a
        // close the server starts ends the connection here too; a late onClose finds it done.
        ended();
    }

    /**
     * The session is over, however it ended: nothing more is queued, the token timer stops, the
     * gateway lets go (the documents see the client leave) and so, after the grace, does the
     * socket. Safe to run again (onClose after closeSession): the gateway and the socket let go once.
     */
    private void ended() {
        outbound.closed();
        expiry.cancel();
        gateway.closed(this);
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

    /** Whether a close has begun: nothing more is taken from the client or queued for it. */
    boolean isGone() {
        return !outbound.isOpen();
    }

    // ---- for the gateway ---------------------------------------------------------------

    /** Called by the gateway's timer: pings a quiet client, closes a silent one. */
    void checkIdle(long nowNanos) {
        idle.check(nowNanos);
    }

    Session session() {
        return session;
    }

    String remoteAddress() {
        return remoteAddress;
    }

    /**
     * The gateway lets go of this connection: from now on no open is handed to the service,
     * so the documents returned are all it will ever have asked for (see {@link #requested}).
     */
    Set<String> leave() {
        synchronized (requested) {
            left = true;
            return Set.copyOf(requested);
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
