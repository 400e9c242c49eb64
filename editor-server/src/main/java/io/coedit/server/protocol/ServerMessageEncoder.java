package io.coedit.server.protocol;

import com.google.gson.stream.JsonWriter;
import io.coedit.ot.Selection;
import io.coedit.ot.json.OpJson;
import io.coedit.server.session.ServerMessage;
import io.coedit.server.session.User;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;

/**
 * Server frames out: each {@link ServerMessage}, and the two replies a connection makes
 * without a session ({@code welcome}, {@code pong}), as one JSON object with the field names
 * of docs/PROTOCOL.md. Apart from the decoder because the two share no rules: the decoder
 * distrusts its input, while what is encoded here was built by the server and only needs
 * spelling. Fields the server has no value for (a digest, a catch-up's text, an error's
 * {@code doc} and {@code seq}) are left out; no selection is sent as {@code null}.
 *
 * <p>Thread-safe and stateless.
 */
final class ServerMessageEncoder {
    private final OpJson opJson;
    private final Function<String, String> colorOf;

    /**
     * @param colorOf the caret colour of a user id, for chat messages, which are stored with
     *     the user's id and name only
     */
    ServerMessageEncoder(OpJson opJson, Function<String, String> colorOf) {
        this.opJson = opJson;
        this.colorOf = colorOf;
    }

    /** The JSON frame of {@code message}. */
    public String encode(ServerMessage message) {
        return write(w -> {
            if (message instanceof ServerMessage.Op m) {
                w.name("type").value("op");
                w.name("doc").value(m.doc());
                w.name("version").value(m.version());
                w.name("op").jsonValue(opJson.toJson(m.op()));
                w.name("clientId").value(m.clientId());
                w.name("seq").value(m.seq());
                if (m.digest() != null) {
                    w.name("digest").value(m.digest());
                }
            } else if (message instanceof ServerMessage.Ops m) {
                w.name("type").value("ops");
                w.name("doc").value(m.doc());
                w.name("ops").beginArray();
                for (ServerMessage.OpEntry op : m.ops()) {
                    w.beginObject();
                    w.name("version").value(op.version());
                    w.name("op").jsonValue(opJson.toJson(op.op()));
                    w.name("clientId").value(op.clientId());
                    w.name("seq").value(op.seq());
                    if (op.digest() != null) {
                        w.name("digest").value(op.digest());
                    }
                    w.endObject();
                }
                w.endArray();
            } else if (message instanceof ServerMessage.Ack m) {
                w.name("type").value("ack");
                w.name("doc").value(m.doc());
                w.name("seq").value(m.seq());
                w.name("version").value(m.version());
                if (m.digest() != null) {
                    w.name("digest").value(m.digest());
                }
            } else if (message instanceof ServerMessage.Opened m) {
                w.name("type").value("opened");
                w.name("doc").value(m.doc());
                w.name("version").value(m.version());
                if (m.text() != null) {
                    w.name("text").value(m.text());
                }
                if (m.digest() != null) {
                    w.name("digest").value(m.digest());
                }
                w.name("peers").beginArray();
                for (ServerMessage.PeerPresence p : m.peers()) {
                    w.beginObject();
                    w.name("clientId").value(p.clientId());
                    w.name("user");
                    user(w, p.user());
                    if (p.version() >= 0) {
                        w.name("version").value(p.version());
                    }
                    w.name("selection");
                    selection(w, p.selection());
                    w.endObject();
                }
                w.endArray();
                w.name("chat").beginArray();
                for (ServerMessage.ChatLine c : m.chat()) {
                    w.beginObject();
                    chatFields(w, c);
                    w.endObject();
                }
                w.endArray();
                w.name("readOnly").value(m.readOnly());
            } else if (message instanceof ServerMessage.Presence m) {
                w.name("type").value("presence");
                w.name("doc").value(m.doc());
                w.name("clientId").value(m.clientId());
                w.name("user");
                user(w, m.user());
                w.name("version").value(m.version());
                w.name("selection");
                selection(w, m.selection());
            } else if (message instanceof ServerMessage.Leave m) {
                w.name("type").value("leave");
                w.name("doc").value(m.doc());
                w.name("clientId").value(m.clientId());
            } else if (message instanceof ServerMessage.Chat m) {
                w.name("type").value("chat");
                w.name("doc").value(m.doc());
                chatFields(w, m.message());
            } else if (message instanceof ServerMessage.Error m) {
                w.name("type").value("error");
                w.name("code").value(m.code().wire());
                w.name("message").value(m.message());
                if (m.doc() != null) {
                    w.name("doc").value(m.doc());
                }
                if (m.seq() != null) {
                    w.name("seq").value(m.seq());
                }
            } else {
                throw new IllegalArgumentException("no encoding for " + message.getClass().getSimpleName());
            }
        });
    }

    /**
     * The reply to a successful {@code hello}. {@code batch} is said only to a client that asked
     * for batched delivery (a v1 client that did not gets the same welcome as ever); a client
     * that asked and finds no {@code batch} here talks to a server without it.
     */
    public String welcome(String clientId, User user, boolean batch) {
        return write(w -> {
            w.name("type").value("welcome");
            w.name("clientId").value(clientId);
            w.name("user");
            user(w, user);
            if (batch) {
                w.name("batch").value(true);
            }
        });
    }

    /** The reply to {@code ping}. */
    public String pong() {
        return "{\"type\":\"pong\"}";
    }

    private void chatFields(JsonWriter w, ServerMessage.ChatLine c) throws IOException {
        w.name("id").value(c.id());
        w.name("user");
        user(w, new User(c.userId(), c.userName(), colorOf.apply(c.userId())));
        w.name("text").value(c.text());
        w.name("ts").value(c.timestamp());
    }

    private static void user(JsonWriter w, User user) throws IOException {
        w.beginObject();
        w.name("id").value(user.id());
        w.name("name").value(user.name());
        w.name("color").value(user.color());
        w.endObject();
    }

    private static void selection(JsonWriter w, List<Selection> selection) throws IOException {
        if (selection == null) {
            w.nullValue();
            return;
        }
        w.beginArray();
        for (Selection s : selection) {
            w.beginObject();
            w.name("anchor").value(s.anchor());
            w.name("head").value(s.head());
            w.endObject();
        }
        w.endArray();
    }

    private interface Body {
        void write(JsonWriter w) throws IOException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter(128);
        try (JsonWriter w = new JsonWriter(out)) {
            w.setHtmlSafe(false);
            w.setSerializeNulls(true);
            w.beginObject();
            body.write(w);
            w.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }
}
