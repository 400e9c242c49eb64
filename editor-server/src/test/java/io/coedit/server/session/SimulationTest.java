package io.coedit.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.coedit.ot.OtClient;
import io.coedit.ot.Rope;
import io.coedit.ot.Selection;
import io.coedit.ot.TextOperation;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.InMemoryDocumentStore;
import io.coedit.server.store.StoredOp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * Many clients editing a few documents through the real {@link DocumentService} over a
 * simulated network: per-link FIFO delivery with random delays, disconnects that lose
 * messages in flight, reconnects with catch-up, and resubmission of unacknowledged
 * operations. About half the clients ask for batched delivery: they get no op or ack but one
 * {@code ops} message per flush window, whose end is a task on the same manual executor, so
 * the seed decides how long each window lasts as it decides which document queue runs next
 * (one world in four uses no window at all). Clients also send presence now and then.
 * Half the worlds run two or three server nodes on the one store, linked by an
 * {@link InMemoryCluster} that loses some of their commit hints: clients connect to any node
 * (a reconnect may land elsewhere), nodes commit on stale heads and are refused, transform and
 * retry, and read what the others committed, from a hint or from the periodic head check.
 * Every run must end with every client, every node and the store on the same text, and every
 * acknowledged submission in the history exactly once; along the way a client never sees a
 * version skipped or repeated, and never a presence placed at a version it has not reached.
 */
class SimulationTest {
    private static final int SEEDS = Integer.getInteger("coedit.sim.seeds", 500);
    private static final String[] DOCS = {"alpha", "beta", "gamma"};
    private static final String[] ALPHABET = {"a", "b", "c", " ", "\n", "é", "😀", "𝒳", "中"};

    @Test
    void clientsConvergeUnderDelaysDisconnectsAndResubmits() {
        long base = Long.getLong("coedit.seed", new Random().nextLong());
        int unloads = 0;
        long frames = 0;
        long batchedDrops = 0;
        long rebases = 0;
        long lostHints = 0;
        int clustered = 0;
        for (int i = 0; i < SEEDS; i++) {
            long seed = base + i;
            World world = runSeed(seed);
            unloads += world.unloads;
            frames += world.framesDelivered;
            batchedDrops += world.batchedDisconnects;
            clustered += world.services.size() > 1 ? 1 : 0;
            lostHints += world.cluster.lost;
            for (DocumentService s : world.services) {
                rebases += s.rebases();
            }
        }
        System.out.println("simulation: " + SEEDS + " seeds from " + base + ", " + unloads + " document unloads, "
                + frames + " ops frames delivered, " + batchedDrops + " disconnects of batched clients; " + clustered
                + " worlds of several nodes, " + rebases + " batches refused and committed again, " + lostHints
                + " commit hints lost");
        if (SEEDS >= 100) {
            // Reloading from the store is part of what is proven; a run that never did it proved less.
            org.junit.jupiter.api.Assertions.assertTrue(unloads > 0, "no document was unloaded in " + SEEDS + " seeds from " + base);
            org.junit.jupiter.api.Assertions.assertTrue(frames > 0 && batchedDrops > 0,
                    "batched clients were not exercised in " + SEEDS + " seeds from " + base);
            org.junit.jupiter.api.Assertions.assertTrue(rebases > 0 && lostHints > 0,
                    "nodes never committed on a stale head, or no hint was lost, in " + SEEDS + " seeds from " + base);
        }
    }

    private static World runSeed(long seed) {
        try {
            World world = new World(seed);
            world.run();
            return world;
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("simulation failed with seed " + seed
                    + " (rerun with -Dcoedit.seed=" + seed + " -Dcoedit.sim.seeds=1): " + e.getMessage(), e);
        }
    }

    private static List<Long> versions(List<ServerMessage.OpEntry> ops) {
        List<Long> out = new ArrayList<>();
        for (ServerMessage.OpEntry op : ops) {
            out.add(op.version());
        }
        return out;
    }

    /** A controlled executor: the simulation decides which queued task runs next. */
    private static final class ManualExecutor implements Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        boolean runOne(Random random) {
            if (tasks.isEmpty()) {
                return false;
            }
            tasks.remove(random.nextInt(tasks.size())).run();
            return true;
        }
    }

    private static final class World {
        final long seed;
        final Random random;
        final ManualExecutor executor = new ManualExecutor();
        final DocumentStore store = new InMemoryDocumentStore();
        /** One to three nodes on the one store. */
        final List<DocumentService> services = new ArrayList<>();
        final InMemoryCluster cluster;
        final List<SimClient> clients = new ArrayList<>();
        /** (clientId/doc/seq) of every submission a client saw acknowledged. */
        final Set<String> acked = new HashSet<>();
        /** Simulated time: one millisecond per step, so idle documents really unload. */
        long now;
        final Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now);
            }
        };
        int unloads;
        long framesDelivered;
        long batchedDisconnects;

        World(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
            DocumentService.Settings settings = DocumentService.Settings.builder()
                    .snapshotEvery(1 + random.nextInt(20))
                    .unloadAfterMillis(1 + random.nextInt(50))
                    // Any positive window: its end is a task of the manual executor, run when the seed says.
                    .batchWindowMillis(random.nextInt(4) == 0 ? 0 : 25)
                    .build();
            cluster = new InMemoryCluster(executor, random, 0.2);
            int nodes = random.nextBoolean() ? 1 : 2 + random.nextInt(2);
            for (int i = 0; i < nodes; i++) {
                DocumentService service = new DocumentService(store, settings, clock, executor);
                if (nodes > 1) {
                    service.join(cluster.node("node-" + i));
                }
                services.add(service);
            }
            int n = 8 + random.nextInt(4);
            for (int i = 0; i < n; i++) {
                clients.add(new SimClient(this, "client-" + i, DOCS[i % DOCS.length], random.nextBoolean()));
            }
        }

        void run() {
            for (SimClient c : clients) {
                c.connect();
            }
            int steps = 300 + random.nextInt(300);
            for (int step = 0; step < steps; step++) {
                now++;
                int roll = random.nextInt(100);
                SimClient c = clients.get(random.nextInt(clients.size()));
                if (roll < 27) {
                    c.edit();
                } else if (roll < 30) {
                    c.presence();
                } else if (roll < 55) {
                    c.deliverToServer();
                } else if (roll < 80) {
                    c.deliverToClient();
                } else if (roll < 95) {
                    executor.runOne(random);
                } else if (roll < 97) {
                    c.disconnect();
                } else if (roll < 98) {
                    services.get(random.nextInt(services.size())).checkHeads();
                } else {
                    DocumentService service = services.get(random.nextInt(services.size()));
                    int before = service.loadedDocuments();
                    service.unloadIdleDocuments();
                    while (executor.runOne(random)) {
                        // let the sweep run; documents nobody has open go away
                    }
                    unloads += before - service.loadedDocuments();
                    c.connect();
                }
            }
            settle();
            check();
        }

        /** Reconnects everyone and delivers everything until nothing moves. */
        void settle() {
            for (SimClient c : clients) {
                c.connect();
            }
            boolean checked = false;
            for (int round = 0; round < 100_000; round++) {
                boolean ran = executor.runOne(random);
                boolean delivered = false;
                for (SimClient c : clients) {
                    delivered |= c.deliverToServer();
                    delivered |= c.deliverToClient();
                }
                if (delivered) {
                    checked = false;
                } else if (!ran) {
                    if (checked) {
                        return;
                    }
                    // Hints may have been lost: the periodic head check is what finds the rest.
                    for (DocumentService s : services) {
                        s.checkHeads();
                    }
                    checked = true;
                }
            }
            fail("the system did not settle");
        }

        void check() {
            for (String doc : DOCS) {
                long head = store.headVersion(doc);
                Rope replay = new Rope();
                Map<String, Integer> submissions = new HashMap<>();
                for (StoredOp op : store.ops(doc, 0, head)) {
                    replay.apply(op.op());
                    submissions.merge(op.clientId() + "/" + doc + "/" + op.seq(), 1, Integer::sum);
                }
                submissions.forEach((k, n) -> assertEquals(1, n, "submission " + k + " committed " + n + " times"));
                for (SimClient c : clients) {
                    if (c.doc.equals(doc)) {
                        assertEquals(OtClient.State.SYNCHRONIZED, c.ot.state(), c + " still has unacknowledged edits");
                        assertEquals(head, c.ot.version(), c + " version");
                        assertEquals(replay.toString(), c.text.toString(), c + " text differs from the history");
                    }
                }
                for (DocumentService service : services) {
                    var served = service.text(doc, null);
                    while (!served.isDone() && executor.runOne(random)) {
                        // the text request runs on the document's queue
                    }
                    assertEquals(replay.toString(), served.join().orElseThrow().text(),
                            "server's open document differs from its history");
                }
                for (String a : acked) {
                    if (a.contains("/" + doc + "/")) {
                        assertEquals(1, submissions.getOrDefault(a, 0), "acknowledged " + a + " is not in the history once");
                    }
                }
            }
        }
    }

    /** A client: an OtClient, its text, and FIFO links to and from the server. */
    private static final class SimClient {
        final World world;
        final String id;
        final String doc;
        final boolean batched;
        OtClient ot;
        Rope text = new Rope();
        final ArrayDeque<Runnable> toServer = new ArrayDeque<>();
        final ArrayDeque<ServerMessage> toClient = new ArrayDeque<>();
        Connection connection;
        boolean opened;

        /** The node of the current connection. */
        DocumentService service;

        SimClient(World world, String id, String doc, boolean batched) {
            this.world = world;
            this.id = id;
            this.doc = doc;
            this.batched = batched;
        }

        @Override
        public String toString() {
            return (batched ? "batched " : "plain ") + id;
        }

        /** One connection's server-side identity; messages for a closed one are lost. */
        final class Connection implements Peer {
            boolean open = true;
            final User user = new User(id, id, "#000000");

            @Override
            public String clientId() {
                return id;
            }

            @Override
            public User user() {
                return user;
            }

            @Override
            public boolean canRead(String docId) {
                return true;
            }

            @Override
            public boolean canWrite(String docId) {
                return true;
            }

            @Override
            public boolean batched() {
                return batched;
            }

            @Override
            public void send(Outgoing message) {
                if (open && connection == this) {
                    toClient.add(message.message());
                }
            }
        }

        void connect() {
            if (connection != null) {
                return;
            }
            Connection c = new Connection();
            connection = c;
            opened = false;
            DocumentService service = world.services.get(world.random.nextInt(world.services.size()));
            this.service = service;
            Long from = ot == null ? null : ot.version();
            toServer.add(() -> service.open(c, doc, from));
            if (ot != null) {
                ot.resend().ifPresent(s -> toServer.add(() -> service.submit(c, doc, s.version(), s.seq(), s.op())));
            }
        }

        void disconnect() {
            if (connection == null) {
                return;
            }
            Connection c = connection;
            c.open = false;
            connection = null;
            if (batched) {
                world.batchedDisconnects++;
            }
            toClient.clear();
            // Messages already on the wire may or may not reach the server.
            if (world.random.nextBoolean()) {
                toServer.clear();
            }
            DocumentService service = this.service;
            toServer.add(() -> service.disconnected(c));
        }

        void edit() {
            if (ot == null || !opened) {
                return;
            }
            int length = text.length();
            int position = world.random.nextInt(length + 1);
            int delete = length == position || world.random.nextInt(3) > 0 ? 0 : 1 + world.random.nextInt(Math.min(4, length - position));
            StringBuilder insert = new StringBuilder();
            int n = world.random.nextInt(3);
            for (int i = 0; i < n; i++) {
                insert.append(ALPHABET[world.random.nextInt(ALPHABET.length)]);
            }
            TextOperation op = TextOperation.splice(position, delete, insert.toString());
            text.apply(op);
            ot.applyLocal(op).ifPresent(this::send);
        }

        /** A caret at the version the client has reached (0 is a place in every text). */
        void presence() {
            Connection c = connection;
            if (c != null && ot != null && opened) {
                long at = ot.version();
                DocumentService service = this.service;
                toServer.add(() -> service.presence(c, doc, at, List.of(Selection.caret(0))));
            }
        }

        void send(OtClient.Submission s) {
            Connection c = connection;
            if (c != null) {
                DocumentService service = this.service;
                toServer.add(() -> service.submit(c, doc, s.version(), s.seq(), s.op()));
            }
        }

        boolean deliverToServer() {
            Runnable r = toServer.poll();
            if (r == null) {
                return false;
            }
            r.run();
            return true;
        }

        boolean deliverToClient() {
            ServerMessage m = toClient.poll();
            if (m == null) {
                return false;
            }
            if (m instanceof ServerMessage.Opened o) {
                if (o.text() != null) {
                    ot = new OtClient(o.version());
                    text = Rope.of(o.text());
                    for (ServerMessage.PeerPresence p : o.peers()) {
                        if (p.version() > o.version()) {
                            throw new AssertionError(this + " opened at version " + o.version() + " with the presence of "
                                    + p.clientId() + " placed at version " + p.version() + ", ahead of its text");
                        }
                    }
                }
                opened = true;
            } else if (m instanceof ServerMessage.Op o) {
                if (o.clientId().equals(id) && ot.inFlight().map(s -> s.seq() == o.seq()).orElse(false)) {
                    world.acked.add(id + "/" + doc + "/" + o.seq());
                    ot.acknowledge(o.seq(), o.version()).ifPresent(this::send);
                } else if (o.version() >= ot.version()) {
                    text.apply(ot.applyRemote(o.version(), o.op()));
                }
            } else if (m instanceof ServerMessage.Ops o) {
                if (!batched) {
                    throw new AssertionError(this + " got an ops frame: " + o.ops());
                }
                world.framesDelivered++;
                // In order, each version exactly the next: its own entries are its acks, the others' are applied.
                for (ServerMessage.OpEntry op : o.ops()) {
                    if (op.version() != ot.version()) {
                        throw new AssertionError(this + " at version " + ot.version() + " got an ops frame with version "
                                + op.version() + ": a version skipped or repeated; frame " + versions(o.ops()));
                    }
                    if (op.clientId().equals(id)) {
                        if (!ot.inFlight().map(s -> s.seq() == op.seq()).orElse(false)) {
                            throw new AssertionError(this + " got its own seq " + op.seq() + " at version " + op.version()
                                    + " in an ops frame, but that is not the submission it has in flight: " + ot.inFlight());
                        }
                        world.acked.add(id + "/" + doc + "/" + op.seq());
                        ot.acknowledge(op.seq(), op.version()).ifPresent(this::send);
                    } else {
                        text.apply(ot.applyRemote(op.version(), op.op()));
                    }
                }
            } else if (m instanceof ServerMessage.Presence p) {
                // A presence is placed at a version the receiver already has: batched clients get it after the ops.
                if (ot != null && opened && p.version() > ot.version()) {
                    throw new AssertionError(this + " at version " + ot.version() + " got a presence of " + p.clientId()
                            + " placed at version " + p.version() + ", ahead of the operations it refers to");
                }
            } else if (m instanceof ServerMessage.Ack a) {
                world.acked.add(id + "/" + doc + "/" + a.seq());
                ot.acknowledge(a.seq(), a.version()).ifPresent(this::send);
            } else if (m instanceof ServerMessage.Error e) {
                throw new AssertionError(id + " got an error: " + e);
            }
            return true;
        }
    }
}
