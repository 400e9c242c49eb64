package io.coedit.server.http;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.util.HttpStatus;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests that no handler would see whole, answered with the API's JSON error instead of
 * Grizzly's own empty answer: a malformed path ({@code %2f}, an encoded control character such as {@code %00}, bad
 * percent-encoding, bytes that are not UTF-8 once decoded, {@code ..} above the root) or a
 * query with bad percent-encoding: 400 {@code bad_path}. Grizzly's handler chain decodes the
 * path before it picks a handler and answered these with 500 and an empty body. The answer
 * closes the connection.
 *
 * <p>A request head over 8,192 bytes or with more than 100 header fields, or otherwise
 * malformed, is refused by Grizzly's HTTP codec before any filter after it runs: 400 with
 * {@code Content-Length: 0} and {@code Connection: close} (505 for an HTTP version other than
 * 1.0 and 1.1). Replacing the codec with a subclass whose refusal carries a JSON body worked,
 * but under 16 concurrent readers of a 240 KB answer about one GET in 10,000 then met a closed
 * connection with no answer (none in 48,000 with the stock codec): the stock codec stays.
 */
final class RequestGuard implements AddOn {
    private static final Logger log = LoggerFactory.getLogger(RequestGuard.class);
    private static final String CHECKED = RequestGuard.class.getName() + ".checked";

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        int codec = builder.indexOfType(HttpServerFilter.class);
        if (codec < 0) {
            throw new IllegalStateException("no HTTP codec in the listener's filter chain");
        }
        builder.add(codec + 1, new PathFilter());
    }

    private static byte[] errorBody(String code, String message) {
        JsonObject body = new JsonObject();
        body.addProperty("code", code);
        body.addProperty("message", message);
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void jsonHeaders(HttpResponsePacket response, byte[] body) {
        response.setContentType("application/json;charset=UTF-8");
        response.setContentLength(body.length);
        response.setHeader("Cache-Control", "no-store");
    }

    /** Refuses a request whose path or query is malformed, before Grizzly decodes it. */
    private static final class PathFilter extends BaseFilter {
        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            if (!(ctx.getMessage() instanceof HttpContent content) || !(content.getHttpHeader() instanceof HttpRequestPacket request)
                    || request.getAttributes().getAttribute(CHECKED) != null) {
                return ctx.getInvokeAction(); // checked once per request, not again on its body or a socket's frames
            }
            request.getAttributes().setAttribute(CHECKED, Boolean.TRUE);
            String problem = problem(request.getRequestURI(), request.getQueryString());
            if (problem == null) {
                return ctx.getInvokeAction();
            }
            log.debug("HTTP request refused: {}", problem);
            byte[] body = errorBody("bad_path", problem);
            HttpResponsePacket response = request.getResponse();
            HttpStatus.BAD_REQUEST_400.setValues(response);
            jsonHeaders(response, body);
            response.getProcessingState().setKeepAlive(false);
            ctx.write(HttpContent.builder(response).content(Buffers.wrap(MemoryManager.DEFAULT_MEMORY_MANAGER, body)).last(true).build());
            response.getProcessingState().getHttpContext().close();
            return ctx.getStopAction();
        }
    }

    /**
     * What is wrong with a request's path and query (both as sent, still percent-encoded), or
     * null if nothing is.
     */
    static String problem(String path, String query) {
        if (path == null || !path.startsWith("/")) {
            return "the request target must be a path starting with '/'";
        }
        byte[] decoded;
        try {
            decoded = percentDecoded(path, true);
        } catch (IllegalArgumentException e) {
            return "malformed path: " + e.getMessage();
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(decoded)).toString();
        } catch (CharacterCodingException e) {
            return "malformed path: not UTF-8 once percent-decoded";
        }
        int depth = 0;
        for (String segment : text.substring(1).split("/", -1)) {
            if (segment.equals("..")) {
                if (--depth < 0) {
                    return "malformed path: '..' goes above the root";
                }
            } else if (!segment.equals(".") && !segment.isEmpty()) {
                depth++;
            }
        }
        if (query != null) {
            try {
                percentDecoded(query, false);
            } catch (IllegalArgumentException e) {
                return "malformed query: " + e.getMessage();
            }
        }
        return null;
    }

    /**
     * The bytes that {@code s} percent-encodes (other characters stand for themselves, as the
     * request line's bytes).
     *
     * @param path refuse an encoded '/' and encoded control characters, which no path here
     *     may hold and which would change its meaning once decoded
     */
    private static byte[] percentDecoded(String s, boolean path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x7e || c < 0x21) {
                throw new IllegalArgumentException("a character that must be percent-encoded at " + i);
            }
            if (c != '%') {
                out.write(c);
                continue;
            }
            int hi = i + 1 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
            int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
            if (hi < 0 || lo < 0) {
                String seen = s.substring(i, Math.min(s.length(), i + 3));
                throw new IllegalArgumentException("'" + seen + "' at " + i + " is not '%' and two hexadecimal digits");
            }
            int b = hi * 16 + lo;
            if (path && b == '/') {
                throw new IllegalArgumentException("an encoded '/' (" + s.substring(i, i + 3) + ") at " + i);
            }
            if (path && (b < 0x20 || b == 0x7f)) {
                throw new IllegalArgumentException("an encoded control character (" + s.substring(i, i + 3).toUpperCase(Locale.ROOT) + ") at " + i);
            }
            out.write(b);
            i += 2;
        }
        return out.toByteArray();
    }
}
