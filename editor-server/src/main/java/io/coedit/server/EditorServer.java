package io.coedit.server;

import io.coedit.server.auth.Authenticator;
import io.coedit.server.auth.Palette;
import io.coedit.server.cluster.PostgresCluster;
import io.coedit.server.http.HttpApi;
import io.coedit.server.metrics.ServerMetrics;
import io.coedit.server.protocol.ProtocolCodec;
import io.coedit.server.session.DocumentService;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.H2DocumentStore;
import io.coedit.server.store.PostgresDocumentStore;
import io.coedit.server.ws.ConnectionLimits;
import io.coedit.server.ws.WebSocketGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ConnectionProbe;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.nio.transport.TCPNIOServerConnection;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server, wired by hand: store → document service → WebSocket gateway and HTTP
 * API, on one Grizzly listener bound to the configured address. {@link Main} builds one
 * from the command line; tests build one on a free port.
 *
 * <pre>
 *   try (EditorServer server = EditorServer.builder().port(0).dataDir(dir).build().start()) {
 *       URI ws = server.uri().resolve("/ws");
 *   }
 * </pre>
 */
public final class EditorServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EditorServer.class);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    private final Builder config;
    private DocumentStore store;
    private DocumentService service;
    private PostgresCluster cluster;
    private WebSocketGateway gateway;
    private HttpApi http;
    private HttpServer server;
    private NetworkListener listener;
    private Authenticator auth;
    private volatile boolean serving;
    private boolean closed;
    private int port;

    private EditorServer(Builder config) {
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings; every one has a default. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private Path dataDir = Path.of("data");
        private String jwtSecret;
        private final List<String> allowedOrigins = new ArrayList<>();
        private ConnectionLimits limits = ConnectionLimits.defaults();
        private DocumentService.Settings settings = DocumentService.Settings.defaults();
        private DocumentService.WorkLimits workLimits = DocumentService.WorkLimits.defaults();
        private DocumentStore store;
        private String dbUrl;
        private String dbUser;
        private String dbPassword;
        private Clock clock = Clock.systemUTC();
        private Duration tokenClockSkew = Authenticator.DEFAULT_CLOCK_SKEW;

        private Builder() {}

        /** The address to bind; 127.0.0.1 by default, 0.0.0.0 for every interface. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        /** The port; 0 picks a free one ({@link EditorServer#port()} tells which). */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** The folder of the database; created if missing. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir);
            return this;
        }

        /** With a secret, clients need HS256 tokens signed with it; null for an open server. */
        public Builder jwtSecret(String secret) {
            this.jwtSecret = secret == null || secret.isEmpty() ? null : secret;
            return this;
        }

        /** Page origins allowed to open a WebSocket, besides the server's own. */
        public Builder allowedOrigins(List<String> origins) {
            allowedOrigins.clear();
            allowedOrigins.addAll(origins);
            return this;
        }

        public Builder limits(ConnectionLimits limits) {
            this.limits = Objects.requireNonNull(limits);
            return this;
        }

        public Builder documentSettings(DocumentService.Settings settings) {
            this.settings = Objects.requireNonNull(settings);
            return this;
        }

        /** What one request may cost a document thread, and when document work counts as stalled. */
        public Builder workLimits(DocumentService.WorkLimits workLimits) {
            this.workLimits = Objects.requireNonNull(workLimits);
            return this;
        }

        /**
         * The database to keep documents in: null (the default) for the H2 file in
         * {@link #dataDir}, a {@code jdbc:postgresql://host:port/database} URL for PostgreSQL;
         * any other URL is refused by {@link #build()}.
         */
        public Builder database(String url, String user, String password) {
            this.dbUrl = url == null || url.isEmpty() ? null : url;
            this.dbUser = user == null || user.isEmpty() ? null : user;
            this.dbPassword = password;
            return this;
        }

        /** A store to use instead of the one in {@link #dataDir}; the server closes it. */
        public Builder store(DocumentStore store) {
            this.store = store;
            return this;
        }

        /** The clock skew allowed on a token's {@code exp} and {@code nbf}, in whole seconds; 30 s by default. */
        public Builder tokenClockSkew(Duration skew) {
            if (skew.isNegative()) {
                throw new IllegalArgumentException("the clock skew must not be negative, got " + skew);
            }
            this.tokenClockSkew = skew;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** A server with these settings, not yet started; checks the settings. */
        public EditorServer build() {
            if (jwtSecret != null) {
                Authenticator.jwt(jwtSecret); // a weak secret fails here, before anything is opened
            }
            if (dbUrl != null && !PostgresDocumentStore.handles(dbUrl)) {
                throw new IllegalArgumentException("unsupported database URL " + PostgresDocumentStore.redacted(dbUrl)
                        + ": only jdbc:postgresql://host:port/database (or none, for the H2 file in the data folder)");
            }
            return new EditorServer(this);
        }
    }

    /**
     * Opens the store, binds the address and starts serving.
     *
     * @throws UncheckedIOException if the address cannot be bound
     * @throws io.coedit.server.store.StoreException if the database cannot be opened
     */
    public synchronized EditorServer start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        Path data = config.dataDir.toAbsolutePath().normalize();
        store = config.store != null ? config.store : openStore(data, config);
        service = new DocumentService(store, config.settings, config.workLimits, config.clock, null);
        if (config.dbUrl != null && config.store == null) {
            // Every node on the database commits to any document and tells the others (docs/SCALING.md).
            cluster = new PostgresCluster(config.dbUrl, config.dbUser, config.dbPassword);
            service.join(cluster);
        }
        ServerMetrics metrics = new ServerMetrics(service);
        auth = config.jwtSecret == null ? Authenticator.open() : Authenticator.jwt(config.jwtSecret, config.tokenClockSkew);
        gateway = new WebSocketGateway(service, auth, new ProtocolCodec(Palette::colorOf), metrics, config.limits,
                config.allowedOrigins);
        http = new HttpApi(service, auth, metrics, () -> serving, store::unavailable);

        server = new HttpServer();
        listener = new NetworkListener("coedit", config.host, config.port);
        // Requests and frames are handled on Grizzly's worker threads, not its selectors; the
        // handlers still never wait on a document or the database.
        listener.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
        // Grizzly closes a connection silent for its keep-alive timeout (30 s by default), and an
        // upgraded WebSocket stays under it: idle clients were cut off (1006) after 30 s, before
        // the gateway's own idle check pings them. Align it with the idle timeout, which the
        // gateway's pings (and their pongs) keep from expiring on a live client.
        listener.getKeepAlive().setIdleTimeoutInSeconds((int) Math.max(1, config.limits.idleTimeout().toSeconds()));
        listener.registerAddOn(gateway.addOn());
        listener.registerAddOn(http.addOn());
        countTcpConnections(listener, metrics);
        server.addListener(listener);
        server.getServerConfiguration().setHttpServerName("coedit");
        server.getServerConfiguration().setHttpServerVersion("");
        http.install(server.getServerConfiguration());
        try {
            server.start();
        } catch (IOException e) {
            service.close();
            closeQuietly();
            throw new UncheckedIOException("cannot listen on " + config.host + ":" + config.port + ": " + e.getMessage(), e);
        }
        port = listener.getPort();
        gateway.serverAt(config.host, port);
        serving = true;
        return this;
    }

    /** Keeps {@code coedit_tcp_connections}: every accepted socket until it is really closed. */
    private static void countTcpConnections(NetworkListener listener, ServerMetrics metrics) {
        listener.getTransport().getConnectionMonitoringConfig().addProbes(new ConnectionProbe.Adapter() {
            @Override
            public void onAcceptEvent(Connection serverConnection, Connection clientConnection) {
                metrics.tcpOpened();
            }

            @Override
            public void onCloseEvent(Connection connection) {
                if (!(connection instanceof TCPNIOServerConnection)) {
                    metrics.tcpClosed();
                }
            }
        });
    }

    /** The store behind {@code --db-url}: PostgreSQL if given, else H2 in {@code --data}. */
    private static DocumentStore openStore(Path data, Builder config) {
        if (config.dbUrl != null) {
            return new PostgresDocumentStore(config.dbUrl, config.dbUser, config.dbPassword);
        }
        return new H2DocumentStore(data);
    }

    /** Where documents are kept, for the startup log: the data folder, or the database URL without its password. */
    public String storeDescription() {
        return config.store != null ? config.store.toString()
                : config.dbUrl != null ? PostgresDocumentStore.redacted(config.dbUrl)
                : "data folder " + dataDir();
    }

    /** The port actually bound. */
    public int port() {
        return port;
    }

    /** The server's HTTP address, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        String host = config.host.contains(":") ? "[" + config.host + "]" : config.host;
        return URI.create("http://" + host + ":" + port + "/");
    }

    /** The WebSocket address of protocol v1. */
    public URI webSocketUri() {
        return URI.create("ws" + uri().toString().substring(4)).resolve(WebSocketGateway.PATH);
    }

    /** The address the listener is actually bound to. */
    public InetSocketAddress boundAddress() {
        return new InetSocketAddress(config.host, port);
    }

    /** The folder of the database, absolute. */
    public Path dataDir() {
        return config.dataDir.toAbsolutePath().normalize();
    }

    /** How clients authenticate, for the startup log. */
    public String authMode() {
        return auth.describe();
    }

    /** The document service, for tests that look behind the wire. */
    public DocumentService service() {
        return service;
    }

    /**
     * Shuts down gracefully: stops accepting connections, lets every document commit what
     * is queued, delivers the last acknowledgements, closes the sockets (1001), then the
     * store. Safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed || server == null) {
            return;
        }
        closed = true;
        serving = false;
        try {
            listener.getTransport().unbindAll();
        } catch (RuntimeException e) {
            log.warn("could not stop accepting connections", e);
        }
        service.close();
        gateway.closeAll(CLOSE_GRACE);
        closeQuietly();
    }

    private void closeQuietly() {
        if (gateway != null) {
            gateway.close();
        }
        if (server != null) {
            server.shutdownNow();
        }
        if (http != null) {
            http.close();
        }
        if (cluster != null) {
            cluster.close(); // after the last commit's hint; the others drop this node's subscribers now
        }
        if (store != null) {
            try {
                store.close();
            } catch (RuntimeException e) {
                log.error("closing the store failed", e);
            }
        }
    }
}
