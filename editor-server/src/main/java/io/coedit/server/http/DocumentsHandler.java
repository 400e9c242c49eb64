package io.coedit.server.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.coedit.ot.json.OpJson;
import io.coedit.server.auth.Access;
import io.coedit.server.auth.AuthenticationException;
import io.coedit.server.auth.Authenticator;
import io.coedit.server.protocol.DocumentId;
import io.coedit.server.session.DocumentService;
import java.io.CharConversionException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /api/docs}, {@code /api/docs/{id}} and {@code /api/docs/{id}/ops}; see {@link HttpApi}. */
final class DocumentsHandler extends HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(DocumentsHandler.class);
    static final int MAX_OPS_PER_REQUEST = 1_000;

    private final DocumentService service;
    private final Authenticator auth;
    private final Executor readers;

    DocumentsHandler(DocumentService service, Authenticator auth, Executor readers) {
        this.service = service;
        this.auth = auth;
        this.readers = readers;
    }

    /** An answer other than 200, with a JSON body {@code {"code", "message"}}. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        Refusal(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    @Override
    public void service(Request request, Response response) {
        CompletableFuture<JsonObject> answer = answer(request);
        if (answer.isDone()) {
            reply(answer).send(response);
            return;
        }
        // The JSON is built and encoded on the store pool, never on a document's thread, and
        // written by Grizzly's thread for the connection.
        response.suspend();
        answer.whenCompleteAsync((body, failure) -> reply(answer).sendSuspended(request, response), readers);
    }

    private CompletableFuture<JsonObject> answer(Request request) {
        try {
            return route(request);
        } catch (Refusal r) {
            return CompletableFuture.failedFuture(r);
        }
    }

    private CompletableFuture<JsonObject> route(Request request) {
        String path;
        try {
            path = request.getDecodedRequestURI(); // RequestGuard refused what does not decode
        } catch (CharConversionException e) {
            throw new Refusal(400, "bad_path", "malformed path: " + e.getMessage());
        }
        String[] parts = path.substring(1).split("/", -1); // "api", "docs", id, "ops"
        if (parts.length < 2 || !parts[1].equals("docs") || parts.length > 4 || (parts.length == 4 && !parts[3].equals("ops"))) {
            throw new Refusal(404, "not_found", "no such resource: " + path);
        }
        if (request.getMethod() != Method.GET && request.getMethod() != Method.HEAD) {
            throw new Refusal(405, "method_not_allowed", request.getMethod() + " is not allowed here: only GET and HEAD");
        }
        Access access = authenticate(request);
        if (parts.length == 2 || (parts.length == 3 && parts[2].isEmpty())) {
            return CompletableFuture.supplyAsync(() -> list(access), readers);
        }
        String doc = parts[2];
        if (!DocumentId.isValid(doc)) {
            throw new Refusal(400, "bad_request", "not a document id: " + doc);
        }
        if (!access.canRead(doc)) {
            throw new Refusal(403, "forbidden", "you may not read document " + doc);
        }
        if (parts.length == 3) {
            Long version = number(request, "version");
            return service.text(doc, version).thenApply(text -> {
                if (text.isEmpty()) {
                    throw new Refusal(404, "not_found", "document " + doc + " has no version " + version + ": that is beyond its head");
                }
                JsonObject json = new JsonObject();
                json.addProperty("id", doc);
                json.addProperty("version", text.get().version());
                json.addProperty("text", text.get().text());
                return json;
            });
        }
        Long from = number(request, "from");
        Long to = number(request, "to");
        long start = from == null ? 0 : from;
        long end = Math.min(to == null ? Long.MAX_VALUE : to, start + MAX_OPS_PER_REQUEST);
        if (end < start) {
            throw new Refusal(400, "bad_request", "\"to\" (" + to + ") is below \"from\" (" + start + ")");
        }
        return CompletableFuture.supplyAsync(() -> ops(doc, start, end), readers);
    }

    private Access authenticate(Request request) {
        if (!auth.requiresToken()) {
            return auth.authenticate(null);
        }
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Refusal(401, "unauthorized", "this server requires a token: send Authorization: Bearer <token>");
        }
        try {
            return auth.authenticate(header.substring(7).trim());
        } catch (AuthenticationException e) {
            throw new Refusal(401, "unauthorized", e.getMessage());
        }
    }

    private JsonObject list(Access access) {
        JsonArray docs = new JsonArray();
        for (DocumentService.DocumentInfo d : service.list()) {
            if (access.canRead(d.id())) {
                JsonObject item = new JsonObject();
                item.addProperty("id", d.id());
                item.addProperty("version", d.version());
                item.addProperty("updated", d.updated());
                docs.add(item);
            }
        }
        JsonObject json = new JsonObject();
        json.add("docs", docs);
        return json;
    }

    private JsonObject ops(String doc, long from, long to) {
        List<DocumentService.HistoryEntry> ops = service.ops(doc, from, to);
        JsonArray items = new JsonArray(ops.size());
        OpJson opJson = OpJson.standard();
        for (DocumentService.HistoryEntry op : ops) {
            JsonObject item = new JsonObject();
            item.addProperty("version", op.version());
            item.add("op", opJson.toJsonTree(op.op()));
            item.addProperty("clientId", op.clientId());
            item.addProperty("seq", op.seq());
            item.addProperty("userId", op.userId());
            item.addProperty("ts", op.timestamp());
            items.add(item);
        }
        JsonObject json = new JsonObject();
        json.addProperty("doc", doc);
        json.addProperty("from", from);
        json.addProperty("to", from + ops.size());
        json.add("ops", items);
        return json;
    }

    private static Long number(Request request, String name) {
        String value = request.getParameter(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Refusal(400, "bad_request", "\"" + name + "\" must be a non-negative integer, got \"" + value + "\"");
    }

    private static Reply reply(CompletableFuture<JsonObject> answer) {
        try {
            return Reply.json(200, answer.join());
        } catch (RuntimeException e) {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof Refusal r) {
                Reply reply = Reply.error(r.status, r.code, r.getMessage());
                if (r.status == 401) {
                    reply.header("WWW-Authenticate", "Bearer");
                }
                if (r.status == 405) {
                    reply.header("Allow", "GET, HEAD");
                }
                return reply;
            }
            log.error("HTTP API request failed", cause);
            return Reply.error(500, "internal", "the server failed to answer");
        }
    }

    /** Answers now, from the request's own thread; see {@link Reply}. */
    static void write(Response response, int status, String contentType, String body) {
        Reply.of(status, contentType, body).send(response);
    }
}
