package io.coedit.server.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A protocol v1 client for tests: every frame the server sends lands in a queue that the
 * test reads with a timeout, so tests wait on what they expect instead of sleeping.
 */
public final class WsClient implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    /**
     * A client manager of its own: Tyrus shuts a manager's executors down when its last
     * session closes, and a shared one could do so just as another test's session started on
     * it (a send then failed with RejectedExecutionException).
     */
    private final ClientManager manager = ClientManager.createClient();

    private final BlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private final Session session;
    public String clientId;
    private volatile boolean ignoreJoins;

    private WsClient(URI uri, String origin) throws IOException, DeploymentException {
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> headers) {
                        headers.remove("Origin");
                        if (origin != null) {
                            headers.put("Origin", List.of(origin));
                        }
                    }
                }).build();
        Endpoint endpoint = new Endpoint() {
            @Override
            public void onOpen(Session s, EndpointConfig c) {
                s.setMaxTextMessageBufferSize(64 << 20);
                s.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
                    JsonObject m = JsonParser.parseString(text).getAsJsonObject();
                    if (!(ignoreJoins && isJoin(m))) {
                        inbox.add(m);
                    }
                });
            }

            @Override
            public void onClose(Session s, CloseReason reason) {
                closed.complete(reason);
            }
        };
        try {
            this.session = manager.connectToServer(endpoint, config, uri);
        } catch (IOException | DeploymentException | RuntimeException e) {
            manager.shutdown();
            throw e;
        }
    }

    /** Connected, nothing sent. */
    public static WsClient connect(URI uri) throws IOException, DeploymentException {
        return new WsClient(uri, null);
    }

    public static WsClient connect(URI uri, String origin) throws IOException, DeploymentException {
        return new WsClient(uri, origin);
    }

    /** Connected and past hello; {@code clientId} and {@code token} may be null. */
    public static WsClient hello(URI uri, String clientId, String token, String name) throws Exception {
        WsClient c = connect(uri);
        JsonObject hello = msg("hello");
        if (clientId != null) {
            hello.addProperty("clientId", clientId);
        }
        if (token != null) {
            hello.addProperty("token", token);
        }
        if (name != null) {
            hello.addProperty("name", name);
        }
        c.send(hello);
        JsonObject welcome = c.expect("welcome");
        c.clientId = welcome.get("clientId").getAsString();
        return c;
    }

    /** Connected and past a hello that asks for batched delivery; fails unless the welcome grants it. */
    public static WsClient helloBatched(URI uri, String name) throws Exception {
        WsClient c = connect(uri);
        JsonObject hello = msg("hello");
        hello.addProperty("name", name);
        hello.addProperty("batch", true);
        c.send(hello);
        JsonObject welcome = c.expect("welcome");
        assertEquals(true, welcome.has("batch") && welcome.get("batch").getAsBoolean(), () -> "batch not granted: " + welcome);
        c.clientId = welcome.get("clientId").getAsString();
        return c;
    }

    /**
     * From now on, drops the {@code presence} without a selection that announces a peer opening
     * the document, for tests about something else whose every message is counted.
     */
    public WsClient ignoringJoins() {
        ignoreJoins = true;
        return this;
    }

    /** Whether {@code m} is a presence without a selection (what the server sends when a peer opens). */
    public static boolean isJoin(JsonObject m) {
        return m.get("type").getAsString().equals("presence") && m.get("selection").isJsonNull();
    }

    public static JsonObject msg(String type) {
        JsonObject m = new JsonObject();
        m.addProperty("type", type);
        return m;
    }

    public static JsonObject op(String doc, long version, long seq, TextOperation op) {
        JsonObject m = msg("op");
        m.addProperty("doc", doc);
        m.addProperty("version", version);
        m.addProperty("seq", seq);
        m.add("op", OpJson.standard().toJsonTree(op));
        return m;
    }

    public void send(JsonElement json) {
        send(json.toString());
    }

    public void send(String frame) {
        try {
            session.getBasicRemote().sendText(frame);
        } catch (IOException e) {
            throw new IllegalStateException("send failed", e);
        } catch (RejectedExecutionException e) {
            // Tyrus schedules the send's timeout after the frame is written. When the server
            // answers that frame by closing (a third bad hello), the close can arrive first and
            // shut this connection's executors down: the frame went out, only the bookkeeping
            // after it failed. Anywhere else it is a real failure.
            if (session.isOpen()) {
                throw e;
            }
        }
    }

    /** Opens {@code doc} and returns the {@code opened} reply. */
    public JsonObject open(String doc) {
        JsonObject m = msg("open");
        m.addProperty("doc", doc);
        send(m);
        return expect("opened");
    }

    /** The next message, whatever it is. */
    public JsonObject next() {
        try {
            JsonObject m = inbox.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                fail("no message within " + TIMEOUT);
            }
            return m;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next message, if one arrives within {@code millis}. */
    public JsonObject poll(long millis) {
        try {
            return inbox.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next message, which must be of {@code type}. */
    public JsonObject expect(String type) {
        JsonObject m = next();
        assertEquals(type, m.get("type").getAsString(), () -> "expected " + type + ", got " + m);
        return m;
    }

    /** The next error, which must have {@code code}. */
    public JsonObject expectError(String code) {
        JsonObject m = expect("error");
        assertEquals(code, m.get("code").getAsString(), () -> "expected error " + code + ", got " + m);
        return m;
    }

    /** Skips messages until one matches; fails after the timeout. */
    public JsonObject await(Predicate<JsonObject> what) {
        List<JsonObject> skipped = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonObject m = poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (m == null) {
                break;
            }
            if (what.test(m)) {
                return m;
            }
            skipped.add(m);
        }
        return fail("no matching message within " + TIMEOUT + "; skipped " + skipped);
    }

    public static Predicate<JsonObject> type(String type) {
        return m -> m.get("type").getAsString().equals(type);
    }

    /** Round trip: every message the server sent before the pong is in the inbox after this. */
    public List<JsonObject> sync() {
        send(msg("ping"));
        List<JsonObject> before = new ArrayList<>();
        while (true) {
            JsonObject m = next();
            if (m.get("type").getAsString().equals("pong")) {
                return before;
            }
            before.add(m);
        }
    }

    /** How the server closed the connection. */
    public CloseReason awaitClose() {
        try {
            return closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return fail("connection not closed within " + TIMEOUT, e);
        }
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (IOException e) {
            // already gone
        } finally {
            manager.shutdown();
        }
    }
}
