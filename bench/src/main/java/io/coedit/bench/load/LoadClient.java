package io.coedit.bench.load;

import io.coedit.ot.OtClient;
import io.coedit.ot.Rope;
import io.coedit.ot.TextDigest;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One protocol-v1 client of a load run over a {@code java.net.http} WebSocket. A writer runs
 * the engine's three-state {@link OtClient} and keeps its text in a {@link Rope}; a lurker
 * only follows versions (it does not apply operations: on two cores the generator competes
 * with the server, and a lurker that transformed every op would measure itself).
 *
 * <p>With batched delivery ({@code hello} {@code "batch": true}) the client receives
 * {@code ops} messages and handles each entry as the {@code op} it stands for: another
 * client's operation is applied (and its delivery timed), its own is its acknowledgement.
 *
 * <p>A writer checks the server's digests (docs/PROTOCOL.md, "Digests") when it has nothing
 * unacknowledged, the only time it knows the server's text; on a mismatch it reports
 * {@code diverged}, reopens the document and heals, keeping what it typed meanwhile.
 *
 * <p>Every callback of one socket arrives in order; edits made by a timer and messages
 * arriving are serialised by this object's lock. Sends are asynchronous and queued here,
 * one write at a time, as the JDK's WebSocket requires.
 */
final class LoadClient implements WebSocket.Listener {
    private static final OpJson OPS = OpJson.withMaxComponents(Integer.MAX_VALUE);
    private static final long RESEND_DELAY_MILLIS = 100;

    final String id;
    final String doc;
    /** Which of the run's server nodes it connects to. */
    final int node;
    final boolean writer;
    /** Asks for batched delivery in hello. */
    private final boolean batched;
    private final LoadStats stats;
    private final Map<String, LoadClient> byId;
    private final ScheduledExecutorService timer;
    private final EditSource edits;
    /** Closed loop: the next edit as soon as the last is acknowledged; else edits come from {@link #tick}. */
    private final boolean closedLoop;

    private WebSocket socket;
    private final StringBuilder partial = new StringBuilder();
    private final ArrayDeque<String> outbox = new ArrayDeque<>();
    private boolean sending;

    // Guarded by this.
    private OtClient ot;
    private Rope text;
    private long version = -1; // a lurker's; a writer's is ot.version()
    /** Healing with the reopen sent: the text this writer took for the server's. */
    private String divergedText;
    private long[] submitted = new long[64]; // send time by seq
    private boolean editing;
    private boolean stopping;
    private boolean broken;
    private volatile boolean closed;
    private final CompletableFuture<LoadClient> ready = new CompletableFuture<>();
    private final CompletableFuture<Long> seedAck = new CompletableFuture<>();

    LoadClient(String id, String doc, int node, boolean writer, boolean batched, EditSource edits, boolean closedLoop, LoadStats stats,
            Map<String, LoadClient> byId, ScheduledExecutorService timer) {
        this.id = id;
        this.doc = doc;
        this.node = node;
        this.writer = writer;
        this.batched = batched;
        this.edits = edits;
        this.closedLoop = closedLoop;
        this.stats = stats;
        this.byId = byId;
        this.timer = timer;
        byId.put(id, this);
    }

    /** Connects, says hello and opens the document; completes when {@code opened} arrives. */
    CompletableFuture<LoadClient> connect(HttpClient http, URI uri, Duration timeout) {
        http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(uri, this).whenComplete((ws, e) -> {
            if (e != null) {
                stats.connectFailures.incrementAndGet();
                ready.completeExceptionally(e);
                return;
            }
            socket = ws;
            stats.connected.incrementAndGet();
            send("{\"type\":\"hello\",\"clientId\":\"" + id + "\"" + (batched ? ",\"batch\":true}" : "}"));
            send("{\"type\":\"open\",\"doc\":\"" + doc + "\"}");
        });
        return ready.orTimeout(timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
    }

    // ---- editing -----------------------------------------------------------------------

    /** Sends {@code seed} as this client's first operation; completes with its version once acked. */
    CompletableFuture<Long> seed(String seed) {
        synchronized (this) {
            local(TextOperation.insert(0, seed));
        }
        return seedAck;
    }

    /** Starts editing: in a closed loop the first edit goes now, later ones on each ack. */
    synchronized void start() {
        if (!writer || editing || broken) {
            return;
        }
        editing = true;
        stats.editing.incrementAndGet();
        if (closedLoop && ot.state() == OtClient.State.SYNCHRONIZED) {
            edit();
        }
    }

    /** An open-loop keystroke (from the rate timer). */
    synchronized void tick() {
        if (editing && !stopping && !broken) {
            edit();
        }
    }

    /** No new edits from now on; what is buffered still goes out. */
    synchronized void stop() {
        stopping = true;
    }

    private void edit() {
        TextOperation op = edits.next(text.length());
        if (op != null) {
            stats.keystrokes.increment();
            local(op);
        }
    }

    private void local(TextOperation op) {
        text.apply(op);
        ot.applyLocal(op).ifPresent(this::submit);
    }

    private void submit(OtClient.Submission s) {
        int seq = (int) s.seq();
        if (seq >= submitted.length) {
            submitted = Arrays.copyOf(submitted, Math.max(seq + 1, submitted.length * 2));
        }
        submitted[seq] = System.nanoTime();
        stats.sent.increment();
        sendOp(s);
    }

    private void sendOp(OtClient.Submission s) {
        send("{\"type\":\"op\",\"doc\":\"" + doc + "\",\"version\":" + s.version() + ",\"seq\":" + s.seq()
                + ",\"op\":" + OPS.toJson(s.op()) + "}");
    }

    /** When {@code seq} of this client was sent, 0 if unknown. */
    synchronized long submittedAt(long seq) {
        return seq > 0 && seq < submitted.length ? submitted[(int) seq] : 0;
    }

    /** Whether everything this client typed is acknowledged (a lurker always is). */
    synchronized boolean settled() {
        return !writer || broken || closed || ot == null || ot.state() == OtClient.State.SYNCHRONIZED;
    }

    synchronized boolean finishedTyping() {
        return !writer || broken || closed || (edits.finished() && ot != null && ot.state() == OtClient.State.SYNCHRONIZED);
    }

    /** The version this client has seen everything up to; -1 before it opened. */
    synchronized long version() {
        return writer ? (ot == null ? -1 : ot.version()) : version;
    }

    /** A writer's text; null for a lurker. */
    synchronized String text() {
        return writer && text != null ? text.toString() : null;
    }

    synchronized boolean broken() {
        return broken || closed;
    }

    void close() {
        WebSocket ws = socket;
        if (ws != null && !closed) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
        }
    }

    void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    // ---- incoming ----------------------------------------------------------------------

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (!last) {
            partial.append(data);
        } else {
            // A message that came in one piece is read where it lies, without a copy.
            CharSequence frame = data;
            if (partial.length() > 0) {
                frame = partial.append(data).toString();
                partial.setLength(0);
            }
            try {
                receive(frame);
            } catch (RuntimeException e) {
                stats.error("generator", e.toString());
                synchronized (this) {
                    broken = true;
                }
            }
        }
        webSocket.request(1);
        return null;
    }

    private void receive(CharSequence frame) {
        long now = System.nanoTime();
        ServerMessage m = ServerMessage.parse(frame, writer);
        switch (m.type()) {
            case "op" -> committed(m, now);
            case "ops" -> {
                for (ServerMessage op : m.ops()) {
                    committed(op, now);
                }
            }
            case "ack" -> ack(m, now);
            case "opened" -> opened(m);
            case "error" -> error(m);
            default -> {
                // welcome, presence, leave, chat, pong: nothing to do
            }
        }
    }

    /** A committed operation, from an op message or an entry of ops: applied, or this client's ack. */
    private void committed(ServerMessage m, long now) {
        remoteOp(m, now);
        LoadClient sender = byId.get(m.clientId());
        if (sender != null && sender != this) {
            long at = sender.submittedAt(m.seq());
            if (at > 0) {
                stats.delivered(at, now, sender.node != node);
            }
        }
    }

    private synchronized void opened(ServerMessage m) {
        if (writer && divergedText != null) {
            OtClient.Heal heal = ot.reopened(m.version(), divergedText, m.text() == null ? "" : m.text());
            divergedText = null;
            text.apply(heal.local());
            edits.remote(heal.local());
            heal.submission().ifPresent(this::submit);
            return;
        }
        if (writer) {
            ot = new OtClient(m.version());
            text = Rope.of(m.text() == null ? "" : m.text());
        } else {
            version = m.version();
        }
        ready.complete(this);
    }

    private synchronized void remoteOp(ServerMessage m, long now) {
        if (!writer) {
            if (version >= 0 && m.version() != version) {
                throw new IllegalStateException(id + " got version " + m.version() + ", expected " + version);
            }
            version = m.version() + 1;
            return;
        }
        if (divergedText != null) {
            return; // reopening: the fresh text holds it
        }
        if (m.clientId().equals(id)) {
            ack(m, now); // our own op (after a catch-up, or in a batch): the ack
            return;
        }
        TextOperation applied = ot.applyRemote(m.version(), m.op());
        text.apply(applied);
        edits.remote(applied);
        checkDigest(m);
    }

    /** Compares the server's digest of the text after {@code m}'s operation with this writer's, when it can. */
    private void checkDigest(ServerMessage m) {
        if (m.digest() == null || ot.healing() || ot.version() != m.version() + 1
                || ot.state() != OtClient.State.SYNCHRONIZED) {
            return;
        }
        String mine = TextDigest.of(text);
        if (mine.equals(m.digest())) {
            return;
        }
        stats.divergences.increment();
        send("{\"type\":\"diverged\",\"doc\":\"" + doc + "\",\"version\":" + (m.version() + 1) + ",\"digest\":\""
                + m.digest() + "\",\"clientDigest\":\"" + mine + "\"}");
        ot.beginHeal();
        divergedText = text.toString();
        send("{\"type\":\"open\",\"doc\":\"" + doc + "\"}");
    }

    private synchronized void ack(ServerMessage m, long now) {
        if (!writer || divergedText != null) {
            return;
        }
        long at = submittedAt(m.seq());
        stats.acked(at, now);
        if (!seedAck.isDone()) {
            seedAck.complete(m.version());
        }
        ot.acknowledge(m.seq(), m.version()).ifPresent(this::submit);
        checkDigest(m);
        if (closedLoop && editing && !stopping && !broken && ot.state() == OtClient.State.SYNCHRONIZED) {
            edit();
        }
    }

    private void error(ServerMessage m) {
        stats.error(m.code(), m.text());
        boolean resend = "rate_limited".equals(m.code()) || "internal".equals(m.code());
        if (resend && m.seq() > 0) {
            timer.schedule(this::resend, RESEND_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (m.seq() > 0 || "not_open".equals(m.code())) {
            synchronized (this) {
                broken = true; // the op was refused: this client's text no longer follows the server
            }
        }
    }

    private synchronized void resend() {
        if (ot != null && !closed) {
            ot.resend().ifPresent(s -> {
                stats.resent.increment();
                sendOp(s);
            });
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed = true;
        if (statusCode != WebSocket.NORMAL_CLOSURE) {
            stats.closed(statusCode);
            if (reason != null && !reason.isEmpty()) {
                stats.firstErrorMessages.putIfAbsent("close " + statusCode, reason);
            }
        }
        ready.completeExceptionally(new IllegalStateException("closed by the server: " + statusCode + " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed = true;
        stats.error("socket", error.toString());
        ready.completeExceptionally(error);
    }

    // ---- outgoing ----------------------------------------------------------------------

    private void send(String frame) {
        synchronized (outbox) {
            if (sending) {
                outbox.add(frame);
                return;
            }
            sending = true;
        }
        write(frame);
    }

    private void write(String frame) {
        socket.sendText(frame, true).whenComplete((ws, e) -> {
            if (e != null) {
                closed = true;
                synchronized (outbox) {
                    outbox.clear();
                    sending = false;
                }
                return;
            }
            String next;
            synchronized (outbox) {
                next = outbox.poll();
                if (next == null) {
                    sending = false;
                }
            }
            if (next != null) {
                write(next);
            }
        });
    }

}
