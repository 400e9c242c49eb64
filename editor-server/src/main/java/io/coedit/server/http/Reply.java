package io.coedit.server.http;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.IOEvent;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP answer: a status, headers and a body encoded to UTF-8 here, in one piece, and sent
 * with its {@code Content-Length} (none of it for HEAD, which gets the same status and headers).
 *
 * <p>Why in one piece: Grizzly's character writer encodes an answer in chunks of 8,192 UTF-16
 * units, and a surrogate pair cut by a chunk boundary came out as "??" (an astral character in
 * a long document read back through the API was corrupted wherever it fell on a boundary).
 *
 * <p>Where and how it is written: on a thread of Grizzly's, never a document's or the store
 * pool's, and as one buffer of its own (never reused, so Grizzly need not copy it). An answer
 * computed elsewhere is handed back with {@link #sendSuspended}, which has the connection's own
 * event thread write it once the connection can take it, so no thread waits for a slow reader.
 * An earlier version wrote the bytes from a document thread, blocking it while a client read,
 * and some of 200 concurrent GETs never got an answer. This one: 48,000 GETs of a 240 KB answer
 * from 16 readers, every one answered.
 */
final class Reply {
    private static final Logger log = LoggerFactory.getLogger(Reply.class);

    private final int status;
    private final String contentType;
    private final byte[] body;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Reply(int status, String contentType, byte[] body) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
    }

    /** A text, sent as UTF-8. */
    static Reply of(int status, String contentType, String body) {
        return new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes as they are (a file); {@code contentType} names their charset if they are text. */
    static Reply bytes(int status, String contentType, byte[] body) {
        return new Reply(status, contentType, body);
    }

    static Reply json(int status, JsonObject body) {
        return of(status, "application/json", body.toString());
    }

    /** An error: {@code {"code", "message"}}, the same shape on every route. */
    static Reply error(int status, String code, String message) {
        JsonObject body = new JsonObject();
        body.addProperty("code", code);
        body.addProperty("message", message);
        return json(status, body);
    }

    Reply header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /**
     * Answers 405 {@code method_not_allowed} (with {@code Allow: GET, HEAD}) unless the request
     * is a GET or a HEAD; true if it did.
     */
    static boolean refusedUnlessGetOrHead(Request request, Response response) {
        if (request.getMethod() == Method.GET || request.getMethod() == Method.HEAD) {
            return false;
        }
        error(405, "method_not_allowed", request.getMethod() + " is not allowed here: only GET and HEAD")
                .header("Allow", "GET, HEAD").send(response);
        return true;
    }

    /** Sends it now: only from the request's own thread, inside {@code service}. */
    void send(Response response) {
        prepare(response);
        if (response.getRequest().getMethod() == Method.HEAD) {
            return;
        }
        try {
            response.getOutputBuffer().writeBuffer(buffer());
        } catch (IOException e) {
            log.debug("HTTP client went away: {}", e.toString());
        }
    }

    private Buffer buffer() {
        return Buffers.wrap(MemoryManager.DEFAULT_MEMORY_MANAGER, body);
    }

    /**
     * Sends it for a {@link Response#suspend() suspended} response, from any thread, and
     * resumes the response. The write happens on the connection's event thread and only once
     * the connection can take it, so no thread ever waits for the client to read.
     */
    void sendSuspended(Request request, Response response) {
        try {
            request.getContext().getConnection().executeInEventThread(IOEvent.WRITE, () -> writeWhenPossible(response));
        } catch (RuntimeException e) { // the connection is gone; Grizzly cancels its suspended answer
            log.debug("HTTP answer not sent: {}", e.toString());
        }
    }

    private void writeWhenPossible(Response response) {
        try {
            prepare(response);
            response.getNIOOutputStream().notifyCanWrite(new WriteHandler() {
                @Override
                public void onWritePossible() throws IOException {
                    try {
                        if (response.getRequest().getMethod() != Method.HEAD) {
                            // Handed over whole: Grizzly said this write may go without blocking.
                            response.getOutputBuffer().writeBuffer(buffer());
                        }
                    } finally {
                        response.resume();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    log.debug("HTTP client went away: {}", t.toString());
                    resumeQuietly(response);
                }
            });
        } catch (RuntimeException e) { // the answer was cancelled meanwhile (the client went away)
            log.debug("HTTP answer not sent: {}", e.toString());
            resumeQuietly(response);
        }
    }

    private static void resumeQuietly(Response response) {
        try {
            response.resume();
        } catch (RuntimeException e) {
            log.debug("HTTP answer already finished: {}", e.toString());
        }
    }

    private void prepare(Response response) {
        response.setStatus(status);
        response.setContentType(contentType);
        if (!contentType.contains("charset") && (contentType.startsWith("text/") || contentType.endsWith("json") || contentType.endsWith("javascript"))) {
            response.setCharacterEncoding("UTF-8");
        }
        response.setHeader("Cache-Control", "no-store");
        headers.forEach(response::setHeader);
        response.setContentLength(body.length);
    }
}
