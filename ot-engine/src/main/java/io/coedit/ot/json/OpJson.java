package io.coedit.ot.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.coedit.ot.Component;
import io.coedit.ot.TextOperation;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.Map;

/**
 * The wire form of a {@link TextOperation}: the JSON that ot-text-unicode reads and writes.
 *
 * <pre>
 *   [3, "hi", {"d": 2}]    keep 3 code points, insert "hi", delete 2 code points
 * </pre>
 * An operation is an array whose items are a positive integer (retain that many code
 * points), a non-empty string (insert it) or an object {@code {"d": n}} with a positive
 * integer {@code n} (delete n code points). Writing always gives ot-text-unicode's normal
 * form; reading accepts any well-formed array and returns it in normal form: neighbours of
 * one kind merged, a trailing retain dropped (though the operation still only fits a
 * document it reaches no further than), inserts and deletes in the order given. This is
 * the boundary where an operation's text is checked; the engine trusts it afterwards.
 *
 * <p>Reading rejects, with an {@link IllegalArgumentException} naming the offending item:
 * anything but an array; an item of another type; counts that are zero, negative,
 * fractional or above {@value #MAX_COUNT}; empty inserts; strings with a lone surrogate;
 * objects with a key other than {@code d}; an array of more than
 * {@link #maxComponents()} items; and JSON that is malformed or has trailing content.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class OpJson {
    /** The largest count one retain or delete may carry. */
    public static final int MAX_COUNT = Integer.MAX_VALUE;

    /** The default cap on the number of items in one operation. */
    public static final int DEFAULT_MAX_COMPONENTS = 100_000;

    private static final OpJson DEFAULT = new OpJson(DEFAULT_MAX_COMPONENTS);
    private static final BigDecimal MAX_COUNT_DECIMAL = BigDecimal.valueOf(MAX_COUNT);

    private final int maxComponents;

    private OpJson(int maxComponents) {
        this.maxComponents = maxComponents;
    }

    /** A codec with the default limits. */
    public static OpJson standard() {
        return DEFAULT;
    }

    /** A codec that rejects operations of more than {@code maxComponents} items. */
    public static OpJson withMaxComponents(int maxComponents) {
        if (maxComponents < 1) {
            throw new IllegalArgumentException("maxComponents must be positive, got " + maxComponents);
        }
        return new OpJson(maxComponents);
    }

    /** The largest number of items an operation may have. */
    public int maxComponents() {
        return maxComponents;
    }

    /** Reads an operation from JSON text. */
    public TextOperation parse(String json) {
        JsonElement tree;
        JsonReader reader = new JsonReader(new StringReader(json));
        reader.setStrictness(Strictness.STRICT);
        try {
            tree = JsonParser.parseReader(reader);
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException("op is not valid JSON: " + rootMessage(e));
        }
        try {
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IOException("more content");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("op JSON has content after the array");
        }
        return fromJson(tree);
    }

    /** Reads an operation from a parsed JSON value. */
    public TextOperation fromJson(JsonElement json) {
        if (json == null || !json.isJsonArray()) {
            throw new IllegalArgumentException("op must be a JSON array, got " + describe(json));
        }
        JsonArray items = json.getAsJsonArray();
        if (items.size() > maxComponents) {
            throw new IllegalArgumentException(
                    "op has " + items.size() + " items, more than the limit of " + maxComponents);
        }
        TextOperation.Builder op = TextOperation.builder();
        for (int k = 0; k < items.size(); k++) {
            JsonElement item = items.get(k);
            try {
                if (item.isJsonPrimitive() && item.getAsJsonPrimitive().isNumber()) {
                    op.retain(count(item.getAsJsonPrimitive(), "retain count"));
                } else if (item.isJsonPrimitive() && item.getAsJsonPrimitive().isString()) {
                    String text = item.getAsString();
                    if (text.isEmpty()) {
                        throw new IllegalArgumentException("insert must be a non-empty string");
                    }
                    op.append(Component.insert(text));
                } else if (item.isJsonObject()) {
                    op.delete(delete(item.getAsJsonObject()));
                } else {
                    throw new IllegalArgumentException("expected a positive integer, a non-empty string or {\"d\": n}, got "
                            + describe(item));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("op[" + k + "]: " + e.getMessage(), e);
            }
        }
        return op.build();
    }

    /** The JSON text of {@code op}, e.g. {@code [3,"hi",{"d":2}]}. */
    public String toJson(TextOperation op) {
        return toJsonTree(op).toString();
    }

    /** The JSON value of {@code op}, to embed in a larger message. */
    public JsonArray toJsonTree(TextOperation op) {
        JsonArray out = new JsonArray(op.components().size());
        for (Component c : op.components()) {
            if (c instanceof Component.Retain r) {
                out.add(r.count());
            } else if (c instanceof Component.Insert i) {
                out.add(i.text());
            } else {
                JsonObject d = new JsonObject();
                d.addProperty("d", c.length());
                out.add(d);
            }
        }
        return out;
    }

    private static int delete(JsonObject object) {
        if (object.size() != 1 || !object.has("d")) {
            for (Map.Entry<String, JsonElement> e : object.entrySet()) {
                if (!e.getKey().equals("d")) {
                    throw new IllegalArgumentException("delete object has unknown key \"" + e.getKey()
                            + "\"; the only key is \"d\"");
                }
            }
            throw new IllegalArgumentException("delete object must be {\"d\": n}, got {}");
        }
        JsonElement d = object.get("d");
        if (!d.isJsonPrimitive() || !d.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("delete count must be a positive integer, got " + describe(d));
        }
        return count(d.getAsJsonPrimitive(), "delete count");
    }

    private static int count(JsonPrimitive number, String what) {
        BigDecimal value;
        try {
            value = number.getAsBigDecimal();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is not a number: " + number);
        }
        if (value.signum() <= 0) {
            throw new IllegalArgumentException(what + " must be a positive integer, got " + number);
        }
        if (value.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException(what + " must be a whole number, got " + number);
        }
        if (value.compareTo(MAX_COUNT_DECIMAL) > 0) {
            throw new IllegalArgumentException(what + " " + number + " is larger than " + MAX_COUNT);
        }
        return value.intValueExact();
    }

    private static String describe(JsonElement e) {
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
            return "a boolean";
        }
        return p.isNumber() ? "the number " + p : "a string";
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        // Gson's advice to its own callers means nothing to whoever sent the op.
        return String.valueOf(e.getMessage())
                .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON")
                .replaceAll("\\s*See https?://\\S+", "");
    }
}
