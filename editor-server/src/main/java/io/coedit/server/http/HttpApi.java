package io.coedit.server.http;

import io.coedit.server.auth.Authenticator;
import io.coedit.server.internal.DaemonThreads;
import io.coedit.server.internal.Shutdown;
import io.coedit.server.metrics.ServerMetrics;
import io.coedit.server.session.DocumentService;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.ServerConfiguration;

/**
 * The HTTP side of the server, on the WebSocket's port:
 * <pre>
 *   GET /                          the web client (static files from the classpath folder web/)
 *   GET /d/{name}                  the web client's editor page for document {name}
 *   GET /api/docs                  documents: id, version, updated
 *   GET /api/docs/{id}             text and version; ?version=v for an older version
 *   GET /api/docs/{id}/ops         committed ops; ?from=&amp;to= (at most 1000 a request)
 *   GET /healthz                   200 while serving, 503 while shutting down, while document work is stalled
 *                                  or while the database is unreachable
 *   GET /metrics                   Prometheus text format
 * </pre>
 * Every route answers GET and HEAD (the same status and headers, no body), other methods
 * 405; errors are JSON {@code {"code", "message"}} everywhere, malformed requests included
 * ({@link RequestGuard}); every answer is exact UTF-8 with its length ({@link Reply}).
 * {@code /api} takes the same tokens as the socket (as {@code Authorization: Bearer}) when
 * the server has a secret. Database reads run on a small pool of their own, with the
 * Grizzly response suspended meanwhile: Grizzly's threads never wait on the store.
 */
public final class HttpApi implements AutoCloseable {
    private final DocumentService service;
    private final Authenticator auth;
    private final ServerMetrics metrics;
    private final BooleanSupplier serving;
    private final Supplier<Optional<String>> storeUnavailable;
    private final ExecutorService readers;

    /**
     * @param serving false once the server is shutting down, which /healthz reports
     * @param storeUnavailable why the store cannot serve now, or empty if it can (answered at
     *     once), which /healthz reports
     */
    public HttpApi(DocumentService service, Authenticator auth, ServerMetrics metrics, BooleanSupplier serving,
            Supplier<Optional<String>> storeUnavailable) {
        this.service = service;
        this.auth = auth;
        this.metrics = metrics;
        this.serving = serving;
        this.storeUnavailable = storeUnavailable;
        this.readers = Executors.newFixedThreadPool(4, DaemonThreads.numbered("coedit-http-"));
    }

    /** Maps every handler on {@code config}. */
    public void install(ServerConfiguration config) {
        config.addHttpHandler(new WebClientFiles(HttpApi.class.getClassLoader()), "/");
        config.addHttpHandler(new EditorPageHandler(HttpApi.class.getClassLoader()), "/d/*");
        config.addHttpHandler(new DocumentsHandler(service, auth, readers), "/api/*");
        config.addHttpHandler(new HealthHandler(serving, metrics, service::stall, storeUnavailable), "/healthz");
        config.addHttpHandler(new MetricsHandler(metrics), "/metrics");
    }

    /**
     * What must sit in the listener's filter chain: a JSON error (400) for a malformed path,
     * which Grizzly otherwise answers before any handler with 500 and an empty body. Register it
     * on the listener before the server starts.
     */
    public AddOn addOn() {
        return new RequestGuard();
    }

    @Override
    public void close() {
        Shutdown.andAwait(readers, 5, TimeUnit.SECONDS);
    }
}
