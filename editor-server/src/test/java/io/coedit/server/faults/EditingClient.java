package io.coedit.server.faults;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.OtClient;
import io.coedit.ot.Rope;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A protocol-v1 editor for fault tests: the engine's {@link OtClient} and a {@link Rope} over
 * a JDK WebSocket, with the reconnect of docs/PROTOCOL.md (hello with the old client id, open
 * with the version seen, resend the op in flight with its seq). It records every ack it
 * receives, which is the claim under test: an acked op is in the history exactly once.
 *
 * <p>Driven by one test thread: frames land in a queue from the socket's thread and
 * {@link #pump} handles them there, so the client itself needs no locking.
 */
final class EditingClient {
    private static final OpJson OPS = OpJson.withMaxComponents(Integer.MAX_VALUE);
    private static final String ALPHABET = "abcdefgh ij\né😀";

    final String id;
    final String doc;
    private final HttpClient http;
    /** This connection's frames; a new queue per connection, so a late close of the last one is not mistaken for this one's. */
    private LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private WebSocket socket;
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
    private boolean open; // socket up and opened received
    private OtClient ot;
    private Rope text;
    /** seq → the version the server said it was committed at. */
    final Map<Long, Long> acked = new HashMap<>();
    int reconnects;

    /** A closed connection, as an inbox item. */
    private record Closed(int code) {}

    EditingClient(String id, String doc, HttpClient http) {
        this.id = id;
        this.doc = doc;
        this.http = http;
    }

    /** Connects (again), says hello and opens the document, catching up from the version seen. */
    void connect(URI ws) {
        LinkedBlockingQueue<Object> frames = new LinkedBlockingQueue<>();
        inbox = frames;
        open = false;
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    frames.add(partial.toString());
                    partial.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                frames.add(new Closed(code));
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                frames.add(new Closed(1006));
            }
        };
        socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(ws, listener)
                .orTimeout(10, TimeUnit.SECONDS).join();
        sending = CompletableFuture.completedFuture(null);
        if (ot != null) {
            reconnects++;
        }
        send("{\"type\":\"hello\",\"clientId\":\"" + id + "\"}");
        send(ot == null ? "{\"type\":\"open\",\"doc\":\"" + doc + "\"}"
                : "{\"type\":\"open\",\"doc\":\"" + doc + "\",\"version\":" + ot.version() + "}");
    }

    /** Drops the connection: abruptly (no close frame) or with a normal close. */
    void disconnect(boolean abrupt) {
        open = false;
        if (socket != null) {
            if (abrupt) {
                socket.abort();
            } else {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
            }
        }
        socket = null;
    }

    boolean connected() {
        return socket != null;
    }

    /** Handles what has arrived; returns false once the connection is known to be gone. */
    boolean pump() {
        Object m;
        while (socket != null && (m = inbox.poll()) != null) {
            take(m);
        }
        return socket != null;
    }

    /** Waits up to {@code millis} for something to arrive, then pumps. */
    void pumpWaiting(long millis) throws InterruptedException {
        Object m = socket == null ? null : inbox.poll(millis, TimeUnit.MILLISECONDS);
        if (m != null) {
            take(m);
            pump();
        }
    }

    private void take(Object m) {
        if (m instanceof Closed) {
            open = false;
            socket = null;
            return;
        }
        handle(JsonParser.parseString((String) m).getAsJsonObject());
    }

    private void handle(JsonObject m) {
        String type = m.get("type").getAsString();
        switch (type) {
            case "opened" -> {
                long version = m.get("version").getAsLong();
                if (ot == null) {
                    ot = new OtClient(version);
                    text = Rope.of(m.get("text").getAsString());
                } else if (m.has("text")) {
                    throw new AssertionError(id + ": a catch-up open answered with the whole text");
                }
                open = true;
                // Resend the op in flight, same seq: acked again if the server already has it.
                ot.resend().ifPresent(this::sendOp);
            }
            case "op" -> {
                long version = m.get("version").getAsLong();
                if (m.get("clientId").getAsString().equals(id)) {
                    ack(m.get("seq").getAsLong(), version); // seen in a catch-up: our own op
                } else {
                    text.apply(ot.applyRemote(version, OPS.fromJson(m.get("op"))));
                }
            }
            case "ack" -> ack(m.get("seq").getAsLong(), m.get("version").getAsLong());
            case "error" -> {
                String code = m.get("code").getAsString();
                if (!code.equals("internal") && !code.equals("rate_limited")) {
                    throw new AssertionError(id + " got an error: " + m);
                }
                // resend on the next reconnect or edit
            }
            default -> {
                // welcome, presence, leave, pong
            }
        }
    }

    private void ack(long seq, long version) {
        Long before = acked.putIfAbsent(seq, version);
        if (before != null && before != version) {
            throw new AssertionError(id + ": seq " + seq + " acked at version " + before + " and again at " + version);
        }
        if (ot.inFlight().isPresent() && ot.inFlight().get().seq() == seq) {
            ot.acknowledge(seq, version).ifPresent(this::sendOp);
        } else {
            ot.acknowledge(seq, version); // a repeat: ignored by the client, checked above
        }
    }

    /** One random edit, if the document is open. */
    void edit(Random random) {
        if (!open) {
            return;
        }
        int length = text.length();
        TextOperation op;
        if (length > 40 && random.nextInt(3) == 0) {
            int at = random.nextInt(length);
            op = TextOperation.delete(at, 1 + random.nextInt(Math.min(5, length - at)));
        } else {
            StringBuilder s = new StringBuilder();
            for (int i = 1 + random.nextInt(4); i > 0; i--) {
                s.appendCodePoint(ALPHABET.codePointAt(ALPHABET.offsetByCodePoints(0,
                        random.nextInt(ALPHABET.codePointCount(0, ALPHABET.length())))));
            }
            op = TextOperation.insert(random.nextInt(length + 1), s.toString());
        }
        text.apply(op);
        ot.applyLocal(op).ifPresent(this::sendOp);
    }

    /** A given edit (the document must be open): applied here and sent, or buffered behind the op in flight. */
    void type(TextOperation op) {
        text.apply(op);
        ot.applyLocal(op).ifPresent(this::sendOp);
    }

    int length() {
        return text.length();
    }

    /** Open, nothing unacknowledged. */
    boolean settled() {
        return open && ot.state() == OtClient.State.SYNCHRONIZED;
    }

    long version() {
        return ot == null ? -1 : ot.version();
    }

    String text() {
        return text.toString();
    }

    private void sendOp(OtClient.Submission s) {
        send("{\"type\":\"op\",\"doc\":\"" + doc + "\",\"version\":" + s.version() + ",\"seq\":" + s.seq()
                + ",\"op\":" + OPS.toJson(s.op()) + "}");
    }

    private void send(String frame) {
        WebSocket w = socket;
        if (w == null) {
            return;
        }
        // One write at a time, as the JDK's WebSocket requires; a failed one means the socket is gone.
        sending = sending.handle((x, e) -> null).thenCompose(x -> w.sendText(frame, true)).exceptionally(e -> null);
    }
}
