package io.coedit.bench.stdio;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.coedit.bench.JsonSyntaxErrors;
import io.coedit.ot.Side;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.List;

/**
 * One request of the conformance bridge, a JSON object such as
 * {@code {"cmd":"apply","doc":"abc","op":[1,{"d":1}]}}, with typed accessors that reject a
 * missing or ill-typed field with a message naming it. Every failure is an
 * {@link IllegalArgumentException}, so the bridge has one kind of error to report.
 */
final class Request {
    private final JsonObject fields;

    private Request(JsonObject fields) {
        this.fields = fields;
    }

    /**
     * Parses one line as strict JSON (RFC 8259: no comments, single quotes or bare words)
     * holding exactly one object.
     */
    static Request parse(String line) {
        if (line.isBlank()) {
            throw new IllegalArgumentException("empty line: expected a JSON request object");
        }
        JsonReader reader = new JsonReader(new StringReader(line));
        reader.setStrictness(Strictness.STRICT);
        JsonElement tree;
        try {
            tree = JsonParser.parseReader(reader);
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException("request is not valid JSON: " + JsonSyntaxErrors.message(e));
        }
        boolean trailing;
        try {
            trailing = reader.peek() != JsonToken.END_DOCUMENT;
        } catch (IOException e) {
            trailing = true; // a strict reader refuses to even tokenise a second value
        }
        if (trailing) {
            throw new IllegalArgumentException("request has content after the JSON value");
        }
        if (!tree.isJsonObject()) {
            throw new IllegalArgumentException("request must be a JSON object, got " + describe(tree));
        }
        return new Request(tree.getAsJsonObject());
    }

    /** The {@code cmd} field. */
    String command() {
        return string("cmd");
    }

    /**
     * Rejects fields that the command does not take: a sender who adds one expects
     * something of it, and answering as if it were absent would hide the misunderstanding.
     */
    void allowOnly(List<String> commandFields) {
        for (String name : fields.keySet()) {
            if (!name.equals("cmd") && !commandFields.contains(name)) {
                throw new IllegalArgumentException("unexpected field \"" + name + "\" for cmd \"" + command()
                        + "\", which takes " + String.join(", ", commandFields));
            }
        }
    }

    String string(String name) {
        JsonElement value = field(name);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw illTyped(name, "a string", value);
        }
        return value.getAsString();
    }

    /** An operation in the ot-text-unicode wire form, checked by the engine's codec. */
    TextOperation op(String name, OpJson codec) {
        JsonElement value = field(name);
        try {
            return codec.fromJson(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field \"" + name + "\": " + e.getMessage(), e);
        }
    }

    /**
     * A whole number that fits an {@code int}. Its sign is left to the engine, which says
     * itself what it accepts. {@code 2.0} counts as 2, as it does in JavaScript.
     */
    int integer(String name) {
        JsonElement value = field(name);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            throw illTyped(name, "an integer", value);
        }
        BigDecimal number = value.getAsBigDecimal();
        if (number.stripTrailingZeros().scale() > 0) {
            throw illTyped(name, "an integer", value);
        }
        if (number.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) < 0
                || number.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("field \"" + name + "\" is out of range: " + value);
        }
        return number.intValueExact();
    }

    /** {@code "left"} or {@code "right"}, the tie-break of transform. */
    Side side(String name) {
        JsonElement value = field(name);
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
            switch (value.getAsString()) {
                case "left":
                    return Side.LEFT;
                case "right":
                    return Side.RIGHT;
                default:
                    break;
            }
        }
        throw illTyped(name, "\"left\" or \"right\"", value);
    }

    private JsonElement field(String name) {
        JsonElement value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing field \"" + name + "\"");
        }
        return value;
    }

    private static IllegalArgumentException illTyped(String name, String expected, JsonElement value) {
        return new IllegalArgumentException("field \"" + name + "\" must be " + expected + ", got " + describe(value));
    }

    /** A short description of a JSON value for an error message; strings are shown, up to a point. */
    private static String describe(JsonElement value) {
        if (value.isJsonNull()) {
            return "null";
        }
        if (value.isJsonArray()) {
            return "an array";
        }
        if (value.isJsonObject()) {
            return "an object";
        }
        JsonPrimitive p = value.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean() ? "true" : "false";
        }
        if (p.isNumber()) {
            return "the number " + p;
        }
        String text = p.toString(); // quoted and escaped
        return text.length() <= 40 ? "the string " + text : "a string of " + p.getAsString().length() + " UTF-16 units";
    }
}
