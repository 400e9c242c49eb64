package io.coedit.server.http;

import com.google.gson.JsonObject;
import io.coedit.server.metrics.ServerMetrics;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * {@code GET /healthz}: 200 while the server serves, 503 once it is shutting down, so that a
 * load balancer stops sending clients before the sockets close. Needs no token: probes
 * carry none, and it tells nothing about documents.
 *
 * <p>Also 503 ({@code "status": "stalled"}, with a {@code "cause"}) while document work is
 * stalled: a server that accepts connections but whose documents answer nothing is not
 * healthy (twenty costly submissions once held every document for ~17 s while this said ok).
 *
 * <p>And 503 ({@code "status": "unavailable"}, with a {@code "cause"}) while the store's
 * database is unreachable: nothing can be acknowledged then. The store answers from its last
 * probe, so this stays fast while the database hangs.
 */
final class HealthHandler extends HttpHandler {
    private final BooleanSupplier serving;
    private final ServerMetrics metrics;
    private final Supplier<Optional<String>> stall;
    private final Supplier<Optional<String>> unavailable;

    HealthHandler(BooleanSupplier serving, ServerMetrics metrics, Supplier<Optional<String>> stall,
            Supplier<Optional<String>> unavailable) {
        this.serving = serving;
        this.metrics = metrics;
        this.stall = stall;
        this.unavailable = unavailable;
    }

    @Override
    public void service(Request request, Response response) {
        if (Reply.refusedUnlessGetOrHead(request, response)) {
            return;
        }
        boolean up = serving.getAsBoolean();
        Optional<String> stalled = up ? stall.get() : Optional.empty();
        Optional<String> away = up && stalled.isEmpty() ? unavailable.get() : Optional.empty();
        JsonObject body = new JsonObject();
        body.addProperty("status", !up ? "stopping" : stalled.isPresent() ? "stalled" : away.isPresent() ? "unavailable" : "ok");
        stalled.or(() -> away).ifPresent(cause -> body.addProperty("cause", cause));
        up = up && stalled.isEmpty() && away.isEmpty();
        body.addProperty("connections", metrics.connections());
        DocumentsHandler.write(response, up ? 200 : 503, "application/json", body.toString());
    }
}
