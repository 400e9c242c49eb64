package io.coedit.bench.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a protocol-v1 server message that the load generator uses, read with a
 * streaming parser; an operation is parsed into a tree only when {@code wantOp} asks (a
 * lurker that only counts versions skips it). The entries of a batched {@code ops} message
 * are messages of their own in {@code ops} (each with version, op, clientId and seq); other
 * messages have none.
 */
record ServerMessage(String type, String doc, long version, long seq, String clientId, String code, String text,
        JsonElement op, List<ServerMessage> ops) {

    static ServerMessage parse(String frame, boolean wantOp) {
        try (JsonReader r = new JsonReader(new StringReader(frame))) {
            return read(r, wantOp);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable server message: " + abbreviate(frame), e);
        }
    }

    private static ServerMessage read(JsonReader r, boolean wantOp) throws IOException {
        String type = null;
        String doc = null;
        long version = -1;
        long seq = -1;
        String clientId = null;
        String code = null;
        String text = null;
        JsonElement op = null;
        List<ServerMessage> ops = List.of();
        r.beginObject();
        while (r.hasNext()) {
            String name = r.nextName();
            switch (name) {
                case "type" -> type = r.nextString();
                case "doc" -> doc = r.nextString();
                case "version" -> version = r.nextLong();
                case "seq" -> {
                    if (r.peek() == JsonToken.NULL) {
                        r.nextNull();
                    } else {
                        seq = r.nextLong();
                    }
                }
                case "clientId" -> clientId = r.nextString();
                case "code" -> code = r.nextString();
                case "message" -> text = r.nextString(); // an error's explanation
                case "text" -> {
                    if (r.peek() == JsonToken.STRING) {
                        text = r.nextString();
                    } else {
                        r.skipValue();
                    }
                }
                case "op" -> {
                    if (wantOp) {
                        op = JsonParser.parseReader(r);
                    } else {
                        r.skipValue();
                    }
                }
                case "ops" -> {
                    ops = new ArrayList<>();
                    r.beginArray();
                    while (r.hasNext()) {
                        ops.add(read(r, wantOp));
                    }
                    r.endArray();
                }
                default -> r.skipValue();
            }
        }
        r.endObject();
        return new ServerMessage(type, doc, version, seq, clientId, code, text, op, ops);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
