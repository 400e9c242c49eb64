package io.coedit.server.http;

import io.coedit.server.metrics.ServerMetrics;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * {@code GET /metrics} in the Prometheus text format. Needs no token: scrapers are
 * configured per deployment, and the meters are counts, never document content or names.
 */
final class MetricsHandler extends HttpHandler {
    private final ServerMetrics metrics;

    MetricsHandler(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void service(Request request, Response response) {
        if (Reply.refusedUnlessGetOrHead(request, response)) {
            return;
        }
        DocumentsHandler.write(response, 200, "text/plain; version=0.0.4", metrics.scrape());
    }
}
