package io.coedit.bench.stdio;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;

import java.util.List;

/**
 * The conformance bridge's core: maps one request line to one response line, so another
 * implementation (or a test harness in another language) can check its results against
 * this engine's. Requests and their answers:
 * <pre>
 *   {"cmd":"apply","doc":"…","op":[…]}                               → {"result":"…"}
 *   {"cmd":"compose","a":[…],"b":[…]}                                 → {"result":[…]}
 *   {"cmd":"transform","op":[…],"other":[…],"side":"left"|"right"}   → {"result":[…]}
 *   {"cmd":"invert","op":[…],"doc":"…"}                               → {"result":[…]}
 *   {"cmd":"transformPosition","pos":n,"op":[…],"side":"left"|"right"} → {"result":n}
 * </pre>
 * Anything that cannot be answered, from malformed JSON to an operation that does not fit
 * its document, gives {@code {"error":"message"}}; the messages are the engine's own where
 * the engine is the one that refuses. Operations use the ot-text-unicode wire form through
 * {@link OpJson#standard()}; results are canonical.
 *
 * <p>Stateless; one instance may serve any number of lines.
 */
public final class OtBridge {
    private static final List<String> COMMANDS = List.of("apply", "compose", "transform", "invert", "transformPosition");

    private final OpJson codec = OpJson.standard();

    /** The response line, without a line terminator, to one request line. */
    public String handle(String line) {
        try {
            JsonObject response = new JsonObject();
            response.add("result", execute(Request.parse(line)));
            return response.toString();
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        } catch (RuntimeException e) {
            // An engine bug is worth reporting, and must not cost the caller the rest of its session.
            return error("internal error: " + e);
        }
    }

    /** The response line for a request that could not even be read as text. */
    public static String error(String message) {
        JsonObject response = new JsonObject();
        response.addProperty("error", message);
        return response.toString();
    }

    private JsonElement execute(Request request) {
        String command = request.command();
        return switch (command) {
            case "apply" -> apply(request);
            case "compose" -> compose(request);
            case "transform" -> transform(request);
            case "invert" -> invert(request);
            case "transformPosition" -> transformPosition(request);
            default -> throw new IllegalArgumentException("unknown cmd \"" + command + "\"; expected one of "
                    + String.join(", ", COMMANDS));
        };
    }

    private JsonElement apply(Request request) {
        request.allowOnly(List.of("doc", "op"));
        String doc = request.string("doc");
        TextOperation op = request.op("op", codec);
        return new JsonPrimitive(op.apply(doc));
    }

    private JsonElement compose(Request request) {
        request.allowOnly(List.of("a", "b"));
        TextOperation a = request.op("a", codec);
        TextOperation b = request.op("b", codec);
        return codec.toJsonTree(TextOperation.compose(a, b));
    }

    private JsonElement transform(Request request) {
        request.allowOnly(List.of("op", "other", "side"));
        TextOperation op = request.op("op", codec);
        TextOperation other = request.op("other", codec);
        return codec.toJsonTree(TextOperation.transform(op, other, request.side("side")));
    }

    private JsonElement invert(Request request) {
        request.allowOnly(List.of("op", "doc"));
        TextOperation op = request.op("op", codec);
        String doc = request.string("doc");
        return codec.toJsonTree(TextOperation.invert(op, doc));
    }

    private JsonElement transformPosition(Request request) {
        request.allowOnly(List.of("pos", "op", "side"));
        int position = request.integer("pos");
        TextOperation op = request.op("op", codec);
        return new JsonPrimitive(op.transformPosition(position, request.side("side")));
    }
}
