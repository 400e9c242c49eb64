package io.coedit.server.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.coedit.ot.Selection;
import io.coedit.ot.json.OpJson;
import io.coedit.server.internal.Surrogates;
import io.coedit.server.session.DisplayName;
import io.coedit.server.session.ErrorCode;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Client frames in: one JSON object per frame read into a {@link ClientMessage}. This is
 * the one place client input is validated, so that nothing behind it checks again.
 *
 * <p>Whatever is wrong with a frame becomes a {@link ProtocolException} with a message naming
 * the field and what was expected. A malformed {@code op} array (a zero retain, an empty
 * insert, a lone surrogate, an unknown key, too many items) is {@code bad_request}, like any
 * ill-typed field: {@code invalid_op} is kept for a well-formed op that does not fit the
 * document it is based on, which only the document can tell. Both carry the {@code doc} and
 * {@code seq} of the op when those fields were readable. Unknown fields are ignored, so that
 * clients may send newer fields to older servers.
 *
 * <p>Thread-safe and stateless.
 */
final class ClientMessageDecoder {
    /** Client ids are echoed in every op message; short and printable keeps them cheap. */
    static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** A {@link io.coedit.ot.TextDigest}. */
    static final Pattern DIGEST = Pattern.compile("[0-9a-f]{16}");
    static final int MAX_TOKEN_CHARS = 8_192;
    /** The longest number Gson's reader takes (its buffer is 1,024 characters); longer ones are refused as such. */
    static final int MAX_NUMBER_CHARS = 1_023;
    static final int MAX_SELECTIONS = 100;
    /** Chat lines are kept forever; a paragraph is plenty. */
    static final int MAX_CHAT_CODE_POINTS = 4_000;

    private final OpJson opJson;

    ClientMessageDecoder(OpJson opJson) {
        this.opJson = opJson;
    }

    /** The request in {@code frame}; throws {@link ProtocolException} saying what is wrong with it. */
    public ClientMessage decode(String frame) {
        JsonObject json = parseObject(frame);
        JsonElement typeField = json.get("type");
        if (typeField == null || typeField.isJsonNull()) {
            throw badRequest("message has no \"type\" field", null, null);
        }
        if (!isString(typeField)) {
            throw badRequest("\"type\" must be a string, got " + describe(typeField), null, null);
        }
        String type = typeField.getAsString();
        Fields f = new Fields(type, json);
        return switch (type) {
            case "hello" -> new ClientMessage.Hello(
                    f.optionalString("clientId", CLIENT_ID, "1 to 64 letters, digits or ._:-"),
                    f.optionalToken(),
                    f.optionalName(),
                    f.optionalBoolean("batch"));
            case "open" -> new ClientMessage.Open(f.doc(), f.optionalNonNegative("version"));
            case "op" -> decodeOp(f);
            case "presence" -> new ClientMessage.Presence(f.doc(), f.nonNegative("version"), f.selection());
            case "chat" -> new ClientMessage.Chat(f.doc(), f.chatText());
            case "close" -> new ClientMessage.Close(f.doc());
            case "ping" -> new ClientMessage.Ping();
            case "diverged" -> new ClientMessage.Diverged(f.doc(), f.nonNegative("version"), f.digest("digest"),
                    f.digest("clientDigest"));
            default -> throw badRequest("unknown message type \"" + type + "\"; expected one of hello, open, op, "
                    + "presence, chat, close, ping, diverged", null, null);
        };
    }

    private ClientMessage decodeOp(Fields f) {
        String doc = f.doc();
        f.doc = doc;
        long seq = f.positive("seq");
        f.seq = seq;
        long version = f.nonNegative("version");
        JsonElement op = f.json.get("op");
        if (op == null || op.isJsonNull()) {
            throw f.error("field \"op\" is missing");
        }
        try {
            return new ClientMessage.Op(doc, version, seq, opJson.fromJson(op));
        } catch (IllegalArgumentException e) {
            throw f.error(e.getMessage());
        }
    }

    private static JsonObject parseObject(String frame) {
        JsonReader reader = new JsonReader(new StringReader(frame));
        reader.setStrictness(Strictness.STRICT);
        JsonElement tree;
        try {
            tree = JsonParser.parseReader(reader);
        } catch (JsonParseException | IllegalStateException e) {
            int longest = longestNumber(frame);
            if (longest > MAX_NUMBER_CHARS) {
                // Gson reads a longer number as an unquoted word and calls the JSON malformed.
                throw badRequest(String.format(Locale.ROOT, "a number of %,d characters at %s is too long to parse "
                        + "(at most %,d)", longest, reader.getPath(), MAX_NUMBER_CHARS), null, null);
            }
            throw badRequest("malformed JSON: " + rootMessage(e), null, null);
        }
        try {
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IOException();
            }
        } catch (IOException | IllegalStateException e) {
            throw badRequest("malformed JSON: content after the message object", null, null);
        }
        if (!tree.isJsonObject()) {
            throw badRequest("a message must be a JSON object, got " + describe(tree), null, null);
        }
        return tree.getAsJsonObject();
    }

    /**
     * The length of the longest number in {@code frame}, by a lexical scan that skips strings:
     * run only on a frame that failed to parse, to tell a number too long for the parser from
     * malformed JSON.
     */
    static int longestNumber(String frame) {
        int longest = 0;
        int run = 0;
        boolean inString = false;
        for (int i = 0; i < frame.length(); i++) {
            char c = frame.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                run = 0;
            } else if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
                longest = Math.max(longest, ++run);
            } else {
                run = 0;
            }
        }
        return longest;
    }

    /** Reads the fields of one message, naming the message type in every complaint. */
    private static final class Fields {
        final String type;
        final JsonObject json;
        String doc; // once known, errors carry it
        Long seq;

        Fields(String type, JsonObject json) {
            this.type = type;
            this.json = json;
        }

        ProtocolException error(String message) {
            return badRequest(type + ": " + message, doc, seq);
        }

        String doc() {
            String d = requiredString("doc");
            if (!DocumentId.isValid(d)) {
                throw error("field \"doc\" must be 1 to 128 letters, digits or ._- starting with a letter or digit, got "
                        + quote(d));
            }
            doc = d;
            return d;
        }

        String requiredString(String name) {
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                throw error("field \"" + name + "\" is missing");
            }
            if (!isString(e)) {
                throw error("field \"" + name + "\" must be a string, got " + describe(e));
            }
            return e.getAsString();
        }

        String optionalString(String name, Pattern pattern, String expected) {
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                return null;
            }
            if (!isString(e) || !pattern.matcher(e.getAsString()).matches()) {
                throw error("field \"" + name + "\" must be " + expected + ", got "
                        + (isString(e) ? quote(e.getAsString()) : describe(e)));
            }
            return e.getAsString();
        }

        /** A text digest as the server sends it: 16 lowercase hexadecimal digits. */
        String digest(String name) {
            String d = requiredString(name);
            if (!DIGEST.matcher(d).matches()) {
                throw error("field \"" + name + "\" must be 16 lowercase hexadecimal digits, got " + quote(d));
            }
            return d;
        }

        String optionalToken() {
            JsonElement e = json.get("token");
            if (e == null || e.isJsonNull()) {
                return null;
            }
            if (!isString(e)) {
                throw error("field \"token\" must be a string, got " + describe(e));
            }
            String token = e.getAsString();
            if (token.length() > MAX_TOKEN_CHARS) {
                throw error("field \"token\" is longer than " + MAX_TOKEN_CHARS + " characters");
            }
            return token;
        }

        String optionalName() {
            JsonElement e = json.get("name");
            if (e == null || e.isJsonNull()) {
                return null;
            }
            if (!isString(e)) {
                throw error("field \"name\" must be a string, got " + describe(e));
            }
            String name;
            try {
                name = DisplayName.check(e.getAsString());
            } catch (IllegalArgumentException invalid) {
                throw new ProtocolException(ErrorCode.INVALID_NAME, type + ": field \"name\": " + invalid.getMessage());
            }
            return name.isEmpty() ? null : name;
        }

        /** A field that may be absent or null (false) or a JSON boolean; anything else is refused. */
        boolean optionalBoolean(String name) {
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                return false;
            }
            if (!(e instanceof JsonPrimitive p) || !p.isBoolean()) {
                throw error("field \"" + name + "\" must be true or false, got " + describe(e));
            }
            return p.getAsBoolean();
        }

        String chatText() {
            String text = requiredString("text");
            if (text.isBlank()) {
                throw error("field \"text\" must not be blank");
            }
            int length = text.codePointCount(0, text.length());
            if (length > MAX_CHAT_CODE_POINTS) {
                throw new ProtocolException(ErrorCode.TOO_LARGE, type + ": chat text has " + length
                        + " characters, more than the limit of " + MAX_CHAT_CODE_POINTS, doc, null);
            }
            if (Surrogates.hasLone(text)) {
                throw error("field \"text\" contains a lone surrogate");
            }
            return text;
        }

        long nonNegative(String name) {
            Long v = optionalNonNegative(name);
            if (v == null) {
                throw error("field \"" + name + "\" is missing");
            }
            return v;
        }

        Long optionalNonNegative(String name) {
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                return null;
            }
            return integer(name, e, 0);
        }

        long positive(String name) {
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                throw error("field \"" + name + "\" is missing");
            }
            return integer(name, e, 1);
        }

        private long integer(String name, JsonElement e, long min) {
            String expected = min == 0 ? "a non-negative integer" : "a positive integer";
            if (!(e instanceof JsonPrimitive p) || !p.isNumber()) {
                throw error("field \"" + name + "\" must be " + expected + ", got " + describe(e));
            }
            BigDecimal value;
            try {
                value = p.getAsBigDecimal();
                if (value.stripTrailingZeros().scale() > 0) {
                    throw error("field \"" + name + "\" must be " + expected + ", got " + shown(p));
                }
                long v = value.longValueExact();
                if (v < min) {
                    throw error("field \"" + name + "\" must be " + expected + ", got " + shown(p));
                }
                return v;
            } catch (ArithmeticException | NumberFormatException ex) {
                throw error("field \"" + name + "\" must be " + expected + " below 2^63, got " + shown(p));
            }
        }

        List<Selection> selection() {
            JsonElement e = json.get("selection");
            if (e == null) {
                throw error("field \"selection\" is missing (send null for no selection)");
            }
            if (e.isJsonNull()) {
                return null;
            }
            if (!e.isJsonArray()) {
                throw error("field \"selection\" must be an array of {\"anchor\", \"head\"} or null, got " + describe(e));
            }
            JsonArray items = e.getAsJsonArray();
            if (items.size() > MAX_SELECTIONS) {
                throw error("field \"selection\" has " + items.size() + " ranges, more than the limit of "
                        + MAX_SELECTIONS);
            }
            List<Selection> out = new ArrayList<>(items.size());
            for (int k = 0; k < items.size(); k++) {
                JsonElement item = items.get(k);
                if (!item.isJsonObject()) {
                    throw error("selection[" + k + "] must be {\"anchor\": n, \"head\": n}, got " + describe(item));
                }
                out.add(new Selection(position(item.getAsJsonObject(), "anchor", k),
                        position(item.getAsJsonObject(), "head", k)));
            }
            return List.copyOf(out);
        }

        private int position(JsonObject range, String name, int k) {
            JsonElement e = range.get(name);
            String what = "selection[" + k + "]." + name;
            if (e == null || !(e instanceof JsonPrimitive p) || !p.isNumber()) {
                throw error(what + " must be a non-negative integer, got " + describe(e));
            }
            try {
                BigDecimal value = p.getAsBigDecimal();
                int v = value.intValueExact();
                if (v < 0) {
                    throw error(what + " must be a non-negative integer, got " + shown(p));
                }
                return v;
            } catch (ArithmeticException | NumberFormatException ex) {
                throw error(what + " must be a non-negative integer below 2^31, got " + shown(p));
            }
        }
    }

    private static ProtocolException badRequest(String message, String doc, Long seq) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message, doc, seq);
    }

    private static boolean isString(JsonElement e) {
        return e instanceof JsonPrimitive p && p.isString();
    }

    /** A number as the client sent it, cut short if long. */
    private static String shown(JsonPrimitive number) {
        String text = number.getAsString();
        return text.length() > 40 ? String.format(Locale.ROOT, "%s… (%,d characters)", text.substring(0, 40), text.length())
                : text;
    }

    private static String quote(String s) {
        String shown = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return "\"" + shown + "\"";
    }

    static String describe(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean() ? "true" : "false";
        }
        if (p.isNumber()) {
            return "the number " + shown(p);
        }
        return "the string " + quote(p.getAsString());
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        // Gson's advice to its own callers means nothing to whoever sent the frame.
        return String.valueOf(e.getMessage())
                .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "unexpected content")
                .replaceAll("\\s*See https?://\\S+", "");
    }
}
