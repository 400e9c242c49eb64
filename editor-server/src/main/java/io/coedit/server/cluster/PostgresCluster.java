package io.coedit.server.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.Selection;
import io.coedit.server.session.Cluster;
import io.coedit.server.session.User;
import io.coedit.server.store.ChatMessage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes sharing one PostgreSQL database, linked by {@code LISTEN}/{@code NOTIFY} on one
 * channel. Two connections of its own, outside the store's pool: one listens (a thread waits on
 * it for notifications), one sends (a thread drains a bounded queue, so {@link #publish} never
 * blocks a document). Each event is one notification, a small JSON object naming its sender;
 * a node ignores its own.
 *
 * <p>Liveness: every node says it is alive once a {@link #HEARTBEAT_MILLIS heartbeat} when it
 * has nothing else to say, and says goodbye when it closes. A node heard from neither for
 * {@link #SILENT_MILLIS} is reported {@link Event.NodeGone gone}, so a node killed with
 * {@code kill -9} takes its subscribers' presence with it within seconds.
 *
 * <p>Losing the database: either thread reconnects with a growing delay (up to
 * {@link #MAX_BACKOFF_MILLIS}). Notifications sent while the listener was away are lost, so
 * once it listens again it reports {@link Event.Resync}: every open document checks the store's
 * head. Events that cannot be sent are dropped (counted in {@link #dropped()}): they are hints
 * and presence, which the next ones supersede.
 *
 * <p>PostgreSQL limits a notification to 8,000 bytes: a chat line too long to carry goes as its
 * id (the receiver reads it from the store), a presence with too many ranges keeps the first.
 */
public final class PostgresCluster implements Cluster {
    private static final Logger log = LoggerFactory.getLogger(PostgresCluster.class);

    /** The channel every node listens on. */
    static final String CHANNEL = "coedit_cluster";
    static final long HEARTBEAT_MILLIS = 1_000;
    static final long SILENT_MILLIS = 6_000;
    static final long MAX_BACKOFF_MILLIS = 5_000;
    /** Under PostgreSQL's 8,000-byte limit, with room for the channel name. */
    static final int MAX_PAYLOAD_BYTES = 7_800;

    private final String url;
    private final String user;
    private final String password;
    private final String node;
    private final BlockingQueue<String> outbox = new ArrayBlockingQueue<>(10_000);
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running;
    private volatile boolean listening;
    private volatile Consumer<Event> listener;
    private Thread listenThread;
    private Thread sendThread;
    /** When each other node was last heard from; touched only by the listening thread. */
    private final Map<String, Long> lastHeard = new HashMap<>();
    /** Nodes reported gone for their silence; touched only by the listening thread. */
    private final java.util.Set<String> silenced = new java.util.HashSet<>();

    public PostgresCluster(String url, String user, String password) {
        this(url, user, password, UUID.randomUUID().toString().substring(0, 13));
    }

    /** A link with the given node id: for tests that bring a node back. */
    PostgresCluster(String url, String user, String password, String node) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.node = node;
    }

    @Override
    public String node() {
        return node;
    }

    /** Whether the listening connection is up (notifications from the other nodes can arrive). */
    public boolean listening() {
        return listening;
    }

    /** Events dropped because the queue was full or the database refused them. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public synchronized void start(Consumer<Event> listener) {
        if (running) {
            throw new IllegalStateException("already started");
        }
        this.listener = listener;
        running = true;
        listenThread = daemon("coedit-cluster-listen", this::listenLoop);
        sendThread = daemon("coedit-cluster-send", this::sendLoop);
        listenThread.start();
        sendThread.start();
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void publish(Event event) {
        if (!running) {
            return;
        }
        if (!outbox.offer(encode(event))) {
            dropped.incrementAndGet();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
        }
        sendThread.interrupt();
        listenThread.interrupt();
        join(sendThread);
        join(listenThread);
        // Goodbye, so the others drop this node's subscribers now rather than after the silence.
        try (Connection c = connect(); PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify(notify, message("gone").toString());
        } catch (SQLException e) {
            log.debug("could not say goodbye to the other nodes: {}", e.toString());
        }
    }

    /** Stops both threads without a goodbye, as a killed process would: for tests. */
    void silence() {
        synchronized (this) {
            running = false;
        }
        sendThread.interrupt();
        listenThread.interrupt();
        join(sendThread);
        join(listenThread);
    }

    private static void join(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    // ---- listening ----------------------------------------------------------------------

    private void listenLoop() {
        long backoff = 100;
        boolean first = true;
        while (running) {
            try (Connection c = connect()) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                listening = true;
                backoff = 100;
                if (!first) {
                    log.info("listening to the other nodes again");
                    // Silence while this node was deaf says nothing about the others.
                    long now = System.currentTimeMillis();
                    lastHeard.replaceAll((n, t) -> now);
                    deliver(new Event.Resync());
                }
                first = false;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notes = pg.getNotifications((int) HEARTBEAT_MILLIS);
                    if (notes != null) {
                        for (PGNotification n : notes) {
                            heard(n.getParameter());
                        }
                    }
                    reportSilentNodes();
                }
            } catch (SQLException e) {
                if (!running) {
                    break;
                }
                if (listening || first) {
                    log.warn("lost the link to the other nodes ({}); retrying until the database answers", e.getMessage());
                }
                first = false;
                listening = false;
                if (!pause(backoff)) {
                    break;
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
        listening = false;
    }

    private void heard(String payload) {
        JsonObject m;
        String from;
        String type;
        try {
            m = JsonParser.parseString(payload).getAsJsonObject();
            from = m.get("n").getAsString();
            type = m.get("t").getAsString();
        } catch (RuntimeException e) {
            log.warn("ignoring a notification that is not a node's event: {}", payload.length() > 200
                    ? payload.substring(0, 200) + "…" : payload);
            return;
        }
        if (from.equals(node)) {
            return;
        }
        if (type.equals("gone")) {
            if (lastHeard.remove(from) != null) {
                deliver(new Event.NodeGone(from));
            }
            return;
        }
        lastHeard.put(from, System.currentTimeMillis());
        if (silenced.remove(from)) {
            // Reported gone for its silence (a long pause, a network hiccup), yet alive: its
            // subscribers were dropped here, so ask every document who is there again.
            log.info("node {} is heard from again", from);
            deliver(new Event.Resync());
        }
        if (type.equals("alive")) {
            return;
        }
        Event event;
        try {
            event = decode(type, from, m);
        } catch (RuntimeException e) {
            log.warn("ignoring a malformed {} event from node {}: {}", type, from, e.toString());
            return;
        }
        if (event != null) {
            deliver(event);
        }
    }

    private void reportSilentNodes() {
        long cutoff = System.currentTimeMillis() - SILENT_MILLIS;
        List<String> silent = new ArrayList<>();
        lastHeard.forEach((n, t) -> {
            if (t < cutoff) {
                silent.add(n);
            }
        });
        for (String n : silent) {
            lastHeard.remove(n);
            silenced.add(n);
            log.info("node {} has been silent for {} ms: its subscribers are gone", n, SILENT_MILLIS);
            deliver(new Event.NodeGone(n));
        }
    }

    private void deliver(Event event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            log.error("handling {} failed", event, e);
        }
    }

    // ---- sending ------------------------------------------------------------------------

    private void sendLoop() {
        long backoff = 100;
        boolean failing = false;
        List<String> drained = new ArrayList<>();
        while (running) {
            try (Connection c = connect(); PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                backoff = 100;
                if (failing) {
                    log.info("telling the other nodes again");
                    failing = false;
                }
                notify(notify, message("alive").toString());
                while (running) {
                    String first = outbox.poll(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        notify(notify, message("alive").toString());
                        continue;
                    }
                    drained.clear();
                    drained.add(first);
                    outbox.drainTo(drained, 500);
                    c.setAutoCommit(false);
                    try {
                        for (String payload : drained) {
                            notify(notify, payload);
                        }
                        c.commit(); // notifications go out together, at the commit
                    } finally {
                        drained.clear();
                    }
                    c.setAutoCommit(true);
                }
            } catch (InterruptedException e) {
                break;
            } catch (SQLException e) {
                if (!running) {
                    break;
                }
                dropped.addAndGet(drained.size());
                drained.clear();
                if (!failing) {
                    log.warn("could not tell the other nodes ({}); retrying until the database answers", e.getMessage());
                    failing = true;
                }
                if (!pause(backoff)) {
                    break;
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    private static void notify(PreparedStatement notify, String payload) throws SQLException {
        notify.setString(1, CHANNEL);
        notify.setString(2, payload);
        notify.execute();
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    // ---- the events as JSON -------------------------------------------------------------

    private JsonObject message(String type) {
        JsonObject m = new JsonObject();
        m.addProperty("n", node);
        m.addProperty("t", type);
        return m;
    }

    String encode(Event event) {
        JsonObject m;
        if (event instanceof Event.Committed c) {
            m = message("commit");
            m.addProperty("d", c.doc());
            m.addProperty("v", c.version());
        } else if (event instanceof Event.Presence p) {
            m = message("presence");
            m.addProperty("d", p.doc());
            m.addProperty("c", p.clientId());
            JsonObject u = new JsonObject();
            u.addProperty("id", p.user().id());
            u.addProperty("name", p.user().name());
            u.addProperty("color", p.user().color());
            m.add("u", u);
            m.addProperty("v", p.version());
            if (p.selection() != null) {
                JsonArray ranges = new JsonArray();
                for (Selection s : p.selection()) {
                    JsonArray r = new JsonArray();
                    r.add(s.anchor());
                    r.add(s.head());
                    ranges.add(r);
                }
                m.add("s", ranges);
                while (bytes(m) > MAX_PAYLOAD_BYTES && ranges.size() > 1) {
                    ranges.remove(ranges.size() - 1);
                }
            }
        } else if (event instanceof Event.Leave l) {
            m = message("leave");
            m.addProperty("d", l.doc());
            m.addProperty("c", l.clientId());
        } else if (event instanceof Event.Chat c) {
            m = message("chat");
            m.addProperty("d", c.doc());
            m.addProperty("id", c.id());
            if (c.message() != null) {
                JsonObject line = new JsonObject();
                line.addProperty("uid", c.message().userId());
                line.addProperty("name", c.message().userName());
                line.addProperty("text", c.message().text());
                line.addProperty("ts", c.message().timestamp());
                m.add("m", line);
                if (bytes(m) > MAX_PAYLOAD_BYTES) {
                    m.remove("m");
                }
            }
        } else if (event instanceof Event.Who w) {
            m = message("who");
            m.addProperty("d", w.doc());
        } else {
            throw new IllegalArgumentException("not an event to publish: " + event);
        }
        return m.toString();
    }

    private static int bytes(JsonObject m) {
        return m.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    private static String orNull(JsonElement e) {
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    static Event decode(String type, String from, JsonObject m) {
        String doc = m.get("d").getAsString();
        switch (type) {
            case "commit":
                return new Event.Committed(doc, m.get("v").getAsLong());
            case "presence": {
                JsonObject u = m.getAsJsonObject("u");
                User user = new User(u.get("id").getAsString(), orNull(u.get("name")), orNull(u.get("color")));
                List<Selection> selection = null;
                JsonElement s = m.get("s");
                if (s != null && s.isJsonArray()) {
                    selection = new ArrayList<>();
                    for (JsonElement r : s.getAsJsonArray()) {
                        JsonArray pair = r.getAsJsonArray();
                        selection.add(new Selection(pair.get(0).getAsInt(), pair.get(1).getAsInt()));
                    }
                    selection = List.copyOf(selection);
                }
                return new Event.Presence(from, doc, m.get("c").getAsString(), user, m.get("v").getAsLong(), selection);
            }
            case "leave":
                return new Event.Leave(from, doc, m.get("c").getAsString());
            case "chat": {
                long id = m.get("id").getAsLong();
                JsonObject line = m.getAsJsonObject("m");
                ChatMessage message = line == null ? null : new ChatMessage(id, doc, line.get("uid").getAsString(),
                        line.get("name").getAsString(), line.get("text").getAsString(), line.get("ts").getAsLong());
                return new Event.Chat(doc, id, message);
            }
            case "who":
                return new Event.Who(from, doc);
            default:
                log.debug("ignoring an event of a type this node does not know: {}", type);
                return null;
        }
    }
}
