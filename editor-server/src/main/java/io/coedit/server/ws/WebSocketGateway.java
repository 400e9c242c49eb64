package io.coedit.server.ws;

import io.coedit.server.auth.Authenticator;
import io.coedit.server.internal.DaemonThreads;
import io.coedit.server.metrics.ServerMetrics;
import io.coedit.server.protocol.ProtocolCodec;
import io.coedit.server.session.DocumentService;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;

/**
 * The WebSocket side of the server: protocol v1 at {@value #PATH}, one {@link Connection}
 * per socket, each a {@link io.coedit.server.session.Peer} of the document service.
 *
 * <p>Also enforces what the endpoint itself cannot see: the Origin allow-list at the
 * handshake; sockets per remote address, counted from the upgrade until the TCP connection is
 * really closed (extra ones are closed with 1013); the close grace, after which the socket of a
 * closed connection is cut even if the client never read the close; and a timer that pings
 * quiet clients and closes silent ones.
 */
public final class WebSocketGateway implements AutoCloseable {
    public static final String PATH = "/ws";

    final DocumentService service;
    final Authenticator auth;
    final ProtocolCodec codec;
    final ServerMetrics metrics;
    final ConnectionLimits limits;
    private final OriginPolicy origins;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    /**
     * WebSocket TCP sockets per remote address, from the upgrade until the socket is really
     * closed: a connection the server has closed still counts while its socket is held.
     */
    private final Map<String, Integer> sockets = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    /**
     * Writes frames to the sockets. A broadcast hands each subscriber's frame to its connection
     * from the document's one thread; the write itself (Tyrus, Grizzly's filter chain, the
     * socket's system call) is most of a broadcast's cost, and done here it is spread over every
     * core instead of being one document's serial work.
     */
    private final ExecutorService writers;

    /**
     * @param allowedOrigins origins allowed besides the server's own; empty means pages on
     *     loopback names, any port; {@code *} means every origin
     * @throws IllegalArgumentException if an allowed origin is not {@code scheme://host[:port]}
     */
    public WebSocketGateway(DocumentService service, Authenticator auth, ProtocolCodec codec, ServerMetrics metrics,
            ConnectionLimits limits, List<String> allowedOrigins) {
        this.service = service;
        this.auth = auth;
        this.codec = codec;
        this.metrics = metrics;
        this.limits = limits;
        this.origins = new OriginPolicy(allowedOrigins);
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("coedit-ws-timer"));
        // A connection's token expiry is cancelled when it closes: let go of it then, not at exp.
        timer.setRemoveOnCancelPolicy(true);
        this.timer = timer;
        this.writers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                DaemonThreads.numbered("coedit-ws-writer-"));
        long period = Math.max(50, Math.min(5_000, limits.idleTimeout().toMillis() / 4));
        timer.scheduleWithFixedDelay(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /** The Grizzly add-on that upgrades requests to {@value #PATH} into connections. */
    public AddOn addOn() {
        // FrameGuard refuses a frame over the limit from its header; Tyrus's buffer needs room
        // for one whole frame at the limit plus what follows it in the same read.
        int incoming = (int) Math.min(Integer.MAX_VALUE - 1, 2L * limits.maxMessageBytes() + 65_536);
        EngineContainer container = new EngineContainer(incoming);
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(Connection.class, PATH)
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public boolean checkOrigin(String origin) {
                        return origins.allows(origin);
                    }

                    @Override
                    public <T> T getEndpointInstance(Class<T> type) {
                        return type.cast(new Connection(WebSocketGateway.this));
                    }
                })
                .build();
        try {
            container.register(config);
        } catch (DeploymentException e) {
            throw new IllegalStateException("the WebSocket endpoint could not be deployed", e);
        }
        container.doneDeployment();
        AddOn tyrus = new WebSocketAddOn(container, "");
        FrameGuard guard = new FrameGuard(this);
        return (listener, chain) -> {
            tyrus.setup(listener, chain);
            // Ahead of Tyrus's filter: frames are judged by their headers before Tyrus buffers them.
            chain.add(chain.indexOfType(GrizzlyServerFilter.class), guard);
        };
    }

    /** Tells the Origin check the server's own address once it is bound. */
    public void serverAt(String host, int port) {
        origins.serverAt(host, port);
    }

    /** Open connections. */
    public int connections() {
        return connections.size();
    }

    /**
     * Closes every connection with 1001 once what is queued for it (the last acks) is
     * written, waiting at most {@code grace}.
     */
    public void closeAll(Duration grace) {
        CloseReason reason = new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
        for (Connection c : connections) {
            c.closeAfterQueued(reason, "shutdown");
        }
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (connections) {
            while (!connections.isEmpty() && System.nanoTime() < deadline) {
                try {
                    connections.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        for (Connection c : connections) {
            c.drop(reason, null);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        writers.shutdown();
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    /** Where connections write their frames; see {@link #writers}. */
    Executor writers() {
        return writers;
    }

    void opened(Connection c) {
        connections.add(c);
        metrics.connectionOpened();
    }

    /**
     * Counts a new connection's socket against its address until the socket is closed; false
     * if the address already held its limit (the socket counts all the same until it goes).
     */
    boolean admit(String address, TcpSocket tcp) {
        int held = sockets.merge(address, 1, Integer::sum);
        if (tcp != null) {
            tcp.whenClosed(() -> release(address));
        }
        return held <= limits.maxSessionsPerAddress();
    }

    private void release(String address) {
        sockets.computeIfPresent(address, (a, n) -> n > 1 ? n - 1 : null);
    }

    /**
     * A connection's session is over: cuts its socket if the client has not closed it within
     * the close grace. Without the socket (see {@link TcpSocket}) the count drops now.
     */
    void letGo(String address, TcpSocket tcp) {
        if (tcp == null) {
            release(address);
            return;
        }
        Runnable cut = () -> {
            if (tcp.isOpen()) {
                metrics.socketCut();
                tcp.cut();
            }
        };
        try {
            timer.schedule(cut, limits.closeGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            cut.run(); // the gateway is closed: nothing is left to wait for
        }
    }

    /** The connection is gone (or given up on); called again when its socket closes. */
    void closed(Connection c) {
        if (!connections.remove(c)) {
            return;
        }
        metrics.connectionClosed();
        Set<String> requested = c.leave(); // before the client id is read: an open after it is refused
        if (c.clientId() != null) {
            try {
                service.disconnected(c);
                for (String doc : requested) {
                    service.close(c, doc);
                }
            } catch (RuntimeException e) {
                // The service is closed (shutdown): its documents are going away with it.
                org.slf4j.LoggerFactory.getLogger(WebSocketGateway.class).debug("leave after shutdown: {}", e.toString());
            }
        }
        synchronized (connections) {
            connections.notifyAll();
        }
    }

    private void checkIdle() {
        long now = System.nanoTime();
        for (Connection c : connections) {
            try {
                c.checkIdle(now);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(WebSocketGateway.class).warn("idle check of {} failed", c.remoteAddress(), e);
            }
        }
    }
}
