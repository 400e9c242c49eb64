package io.coedit.server.http;

import com.google.gson.JsonObject;
import io.coedit.server.metrics.ServerMetrics;
import java.util.function.BooleanSupplier;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * {@code GET /healthz}: 200 while the server serves, 503 once it is shutting down, so that a
 * load balancer stops sending clients before the sockets close. Needs no token: probes
 * carry none, and it tells nothing about documents.
 */
final class HealthHandler extends HttpHandler {
    private final BooleanSupplier serving;
    private final ServerMetrics metrics;

    HealthHandler(BooleanSupplier serving, ServerMetrics metrics) {
        this.serving = serving;
        this.metrics = metrics;
    }

    @Override
    public void service(Request request, Response response) {
        if (Reply.refusedUnlessGetOrHead(request, response)) {
            return;
        }
        boolean up = serving.getAsBoolean();
        JsonObject body = new JsonObject();
        body.addProperty("status", up ? "ok" : "stopping");
        body.addProperty("connections", metrics.connections());
        DocumentsHandler.write(response, up ? 200 : 503, "application/json", body.toString());
    }
}
