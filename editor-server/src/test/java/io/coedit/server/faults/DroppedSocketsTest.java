package io.coedit.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import io.coedit.server.ws.ConnectionLimits;
import io.coedit.server.ws.RawWebSocket;
import io.coedit.server.ws.WsClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that complete the handshake, open a large document and never read again. The
 * server drops them (1008, their outgoing queue overflows), and must then also let go of
 * their TCP connections and of the frames it was writing to them, even though they never
 * read the close; and until it has, the sockets still count against their address's limit.
 *
 * <p>The stuck clients connect from 127.0.0.2, the writer from 127.0.0.1: the server sees two
 * remote addresses, and the limit applies to the stuck ones alone. Sockets are counted on the
 * server's side from the kernel's table (/proc/net/tcp): those on the server's port, from
 * 127.0.0.2, still owned by a process.
 */
class DroppedSocketsTest {
    private static final int LIMIT = 3;
    private static final int DOCUMENT_CODE_POINTS = 3_000_000;
    private static final Pattern CONNECTIONS = Pattern.compile("(?m)^coedit_connections ([0-9.]+)");
    private static final Pattern TCP_CONNECTIONS = Pattern.compile("(?m)^coedit_tcp_connections ([0-9.]+)");

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();

    private static ConnectionLimits limits() {
        return ConnectionLimits.defaults().withMaxSessionsPerAddress(LIMIT).withMaxOpsPerSecond(100_000)
                .withMaxQueuedBytes(1 << 20).withIdleTimeout(Duration.ofSeconds(60));
    }

    @Test
    void droppedNonReadersLeaveNeitherSocketsNorHeapBehind() throws Exception {
        assertTrue(Files.isReadable(Path.of("/proc/net/tcp")), "this test reads the kernel's socket table");
        InetAddress stuckAddress = InetAddress.getByName("127.0.0.2");
        EditorServer server = EditorServer.builder().port(0).dataDir(data).limits(limits()).build().start();
        List<RawWebSocket> stuck = new ArrayList<>();
        try (WsClient writer = WsClient.hello(server.webSocketUri(), null, null, "Wes")) {
            long version = bigDocument(writer);
            long heapBefore = Heap.usedAfterGc();
            assertEquals(0, serverSockets(server, stuckAddress));
            int tcpBefore = gauge(server, TCP_CONNECTIONS); // the writer's socket and this test's HTTP one

            // Rounds of more clients than the limit, each round pushed out by the writer's edits.
            int seq = 100;
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < LIMIT; i++) {
                    RawWebSocket s = new RawWebSocket(server.webSocketUri(), 4096, stuckAddress);
                    stuck.add(s);
                    try {
                        s.sendText("{\"type\":\"hello\"}");
                        s.sendText("{\"type\":\"open\",\"doc\":\"big\"}");
                    } catch (IOException e) {
                        // Refused (1013) while the sockets of the last round are held, and already cut.
                    }
                }
                // Edits of 50,000 characters (100 KB queued each): enough to overflow a 1 MiB queue,
                // then more until only the writer is connected.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (int k = 0; k < 12 || liveConnections(server) > 1; k++, seq++) {
                    assertTrue(System.nanoTime() < deadline, "the stuck clients of round " + round + " were never dropped");
                    writer.send(WsClient.op("big", version, seq, k % 2 == 0 ? TextOperation.insert(0, "y".repeat(50_000))
                            : TextOperation.delete(0, 50_000)));
                    version = writer.await(m -> m.get("type").getAsString().equals("ack")).get("version").getAsLong() + 1;
                }
            }
            int heldAtTheEnd = serverSockets(server, stuckAddress);

            // Within seconds the server holds none of their sockets and none of their frames.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int sockets;
            int tcp;
            long heap;
            while (true) {
                sockets = serverSockets(server, stuckAddress);
                tcp = gauge(server, TCP_CONNECTIONS);
                heap = Heap.usedAfterGc();
                if (sockets == 0 && tcp <= tcpBefore && heap - heapBefore < 24_000_000) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "20 s after " + stuck.size() + " non-reading clients (limit "
                        + LIMIT + "), the server still holds " + sockets + " of their sockets (its own count of TCP "
                        + "connections: " + tcp + ", " + tcpBefore + " before them) and "
                        + Heap.mb(heap - heapBefore) + " more heap than before them (" + heldAtTheEnd
                        + " sockets right after the last round)");
                Thread.sleep(200);
            }
            System.out.println(String.format(Locale.ROOT, "dropped sockets: %d non-reading clients on a %,d-character "
                    + "document; %d of their sockets held after the last round, 0 now; heap %s before, %s now",
                    stuck.size(), DOCUMENT_CODE_POINTS, heldAtTheEnd, Heap.mb(heapBefore), Heap.mb(heap)));

            // And the address is welcome again.
            try (RawWebSocket again = new RawWebSocket(server.webSocketUri(), 0, stuckAddress)) {
                again.sendText("{\"type\":\"hello\"}");
                String answer = again.nextMessage();
                assertEquals(0, serverSockets(server, stuckAddress) - 1, "only the new client's socket");
                assertTrue(answer.contains("\"welcome\""), "a new client from the same address got " + answer);
            }
        } finally {
            for (RawWebSocket s : stuck) {
                s.close();
            }
            server.close();
        }
    }

    @Test
    void aDroppedSocketStillHeldCountsAgainstItsAddress() throws Exception {
        InetAddress stuckAddress = InetAddress.getByName("127.0.0.2");
        // A grace far longer than the test: the dropped sockets stay until the end. A queue cap
        // with room for the opened frame (6 MB counted) and the presences of those who join or
        // leave after it, but not for the edits: a client is dropped only once its opened frame
        // is in its socket (see below).
        EditorServer server = EditorServer.builder().port(0).dataDir(data)
                .limits(limits().withCloseGrace(Duration.ofMinutes(5)).withMaxQueuedBytes(7 << 20)).build().start();
        List<RawWebSocket> stuck = new ArrayList<>();
        try (WsClient writer = WsClient.hello(server.webSocketUri(), null, null, "Wes")) {
            long version = bigDocument(writer);
            // One fewer than the limit: beside their held sockets, one more client fits and the next does not.
            int stuckClients = LIMIT - 1;
            for (int i = 0; i < stuckClients; i++) {
                RawWebSocket s = new RawWebSocket(server.webSocketUri(), 4096, stuckAddress);
                stuck.add(s);
                s.sendText("{\"type\":\"hello\"}");
                s.sendText("{\"type\":\"open\",\"doc\":\"big\"}");
                // It reads its welcome and the first bytes of its opened frame, then no more: the
                // server has handed the whole frame to the socket, where it cannot all fit, so the
                // close of a later drop waits behind it. (Dropped before that, as the presence of
                // the next joiner could with a cap below the frame, the client's socket would close
                // at once: its frame, not yet written, would be let go with the session.)
                assertTrue(s.nextMessage().contains("\"welcome\""), "stuck client " + (i + 1) + " was not welcomed");
                String start = s.startOfNextFrame(64);
                assertTrue(start.contains("\"opened\""), "stuck client " + (i + 1) + " got " + start);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int k = 0, seq = 100; k < 12 || liveConnections(server) > 1; k++, seq++) {
                assertTrue(System.nanoTime() < deadline, "the stuck clients were never dropped");
                writer.send(WsClient.op("big", version, seq, k % 2 == 0 ? TextOperation.insert(0, "y".repeat(50_000))
                        : TextOperation.delete(0, 50_000)));
                version = writer.await(m -> m.get("type").getAsString().equals("ack")).get("version").getAsLong() + 1;
            }
            // Their sessions are over, but not their sockets: each one's 6 MB frame does not fit in
            // the kernel's buffers, and the close frame waits behind it.
            int held = serverSockets(server, stuckAddress);
            assertTrue(held >= 1, "no dropped client's socket is held: the test shows nothing");
            assertEquals(stuckClients, held, "the dropped clients' sockets still held");
            List<RawWebSocket> admitted = new ArrayList<>();
            try {
                for (int i = 0; i < LIMIT - held; i++) {
                    RawWebSocket c = new RawWebSocket(server.webSocketUri(), 0, stuckAddress);
                    admitted.add(c);
                    c.sendText("{\"type\":\"hello\"}");
                    assertTrue(c.nextMessage().contains("\"welcome\""), "client " + (i + 1) + " of the " + (LIMIT - held)
                            + " that fit beside " + held + " held sockets");
                }
                try (RawWebSocket extra = new RawWebSocket(server.webSocketUri(), 0, stuckAddress)) {
                    extra.sendText("{\"type\":\"hello\"}");
                    assertEquals("close 1013", extra.nextMessage(), "a client beyond the limit of " + LIMIT + " with "
                            + held + " dropped clients' sockets held");
                }
            } finally {
                for (RawWebSocket c : admitted) {
                    c.close();
                }
            }
            // Another address is not affected.
            try (RawWebSocket other = new RawWebSocket(server.webSocketUri(), 0, InetAddress.getByName("127.0.0.3"))) {
                other.sendText("{\"type\":\"hello\"}");
                assertTrue(other.nextMessage().contains("\"welcome\""));
            }
        } finally {
            for (RawWebSocket s : stuck) {
                s.close();
            }
            server.close();
        }
    }

    /** Fills document "big" with {@value #DOCUMENT_CODE_POINTS} characters; returns its version. */
    static long bigDocument(WsClient writer) {
        writer.open("big");
        // Two UTF-8 bytes each: a 6 MB frame to every opener, more than a socket's kernel buffers.
        String chunk = "àéîõüÀÉÎÕÜ".repeat(50_000);
        long version = 0;
        for (int seq = 1; seq * chunk.length() <= DOCUMENT_CODE_POINTS; seq++) {
            writer.send(WsClient.op("big", version, seq, TextOperation.insert(0, chunk)));
            version = writer.await(m -> m.get("type").getAsString().equals("ack")).get("version").getAsLong() + 1;
        }
        return version;
    }

    private int liveConnections(EditorServer server) throws IOException, InterruptedException {
        return gauge(server, CONNECTIONS);
    }

    private int gauge(EditorServer server, Pattern gauge) throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(server.uri().resolve("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = gauge.matcher(metrics);
        assertTrue(m.find(), "no " + gauge + " in /metrics");
        return (int) Double.parseDouble(m.group(1));
    }

    /**
     * Server-side TCP sockets on the server's port whose peer is {@code from}, still owned by
     * a process (a socket the process has closed but the kernel still flushes has no inode).
     */
    static int serverSockets(EditorServer server, InetAddress from) throws IOException {
        byte[] ip = from.getAddress();
        String v4 = String.format(Locale.ROOT, "%02X%02X%02X%02X", ip[3], ip[2], ip[1], ip[0]);
        String localPort = String.format(Locale.ROOT, ":%04X", server.port());
        int n = 0;
        // A Java server socket is usually an IPv6 one that takes IPv4 peers as ::ffff:a.b.c.d.
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            for (String line : Files.readAllLines(path)) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !f[1].endsWith(localPort)) {
                    continue;
                }
                String remote = f[2].substring(0, f[2].indexOf(':'));
                boolean fromThere = remote.equals(v4) || remote.equals("0000000000000000FFFF0000" + v4);
                boolean listening = f[3].equals("0A");
                if (fromThere && !listening && !f[9].equals("0")) {
                    n++;
                }
            }
        }
        return n;
    }
}
