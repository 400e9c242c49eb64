package io.coedit.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.server.EditorServer;
import io.coedit.server.session.DocumentService;
import io.coedit.server.ws.ConnectionLimits;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of short visits (connect, hello, open, sometimes an edit, leave politely or by
 * dropping the socket) leave nothing behind: no connection, no subscriber and, once idle
 * documents are swept, no loaded document; and the heap after GC is back near where it
 * started.
 */
class ChurnTest {
    private static final Pattern CONNECTIONS = Pattern.compile("(?m)^coedit_connections ([0-9.]+)");

    @TempDir
    Path data;

    @Test
    void connectOpenDisconnectCyclesLeaveNoDocumentsSessionsOrHeapBehind() throws Exception {
        long seed = Faults.seed("churn");
        int cycles = Faults.pick(2_000, 20_000);
        EditorServer server = EditorServer.builder().port(0).dataDir(data)
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(100_000).withMaxSessionsPerAddress(10_000)
                        .withIdleTimeout(Duration.ofSeconds(30)))
                .documentSettings(DocumentService.Settings.builder().unloadAfterMillis(200).build())
                .build().start();
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService workers = Executors.newFixedThreadPool(8);
        try {
            run(server, http, workers, 300, seed - 1); // warm up: classes loaded, pools filled
            settle(server, http);
            long before = Heap.usedAfterGc();
            run(server, http, workers, cycles, seed);
            settle(server, http);
            long after = Heap.usedAfterGc();
            System.out.println("churn: " + cycles + " cycles; heap after GC " + Heap.mb(before) + " before, "
                    + Heap.mb(after) + " after");
            assertEquals(0, server.service().connectedPeers(), "peers still registered");
            assertEquals(0, server.service().loadedDocuments(), "documents still loaded");
            // A leak of even 1 KB per cycle would show as 2 MB here; allow some noise.
            assertTrue(after - before < 8_000_000, "heap grew by " + Heap.mb(after - before) + " over " + cycles + " cycles");
        } finally {
            workers.shutdownNow();
            server.close();
        }
    }

    private static void run(EditorServer server, HttpClient http, ExecutorService workers, int cycles, long seed)
            throws Exception {
        List<Future<?>> done = new ArrayList<>();
        int threads = 8;
        for (int t = 0; t < threads; t++) {
            int worker = t;
            done.add(workers.submit(() -> {
                Random random = new Random(seed + worker);
                for (int i = worker; i < cycles; i += threads) {
                    visit(server, http, random, seed + ":" + i);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
    }

    /** One visit: connect, hello, open, maybe edit, leave. */
    private static void visit(EditorServer server, HttpClient http, Random random, String name) throws Exception {
        String doc = "churn-" + random.nextInt(50);
        CompletableFuture<String> opened = new CompletableFuture<>();
        CompletableFuture<String> acked = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(server.webSocketUri(), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence text, boolean last) {
                String m = text.toString();
                if (m.contains("\"type\":\"opened\"")) {
                    opened.complete(m);
                } else if (m.contains("\"type\":\"ack\"") || m.contains("\"type\":\"error\"")) {
                    acked.complete(m);
                }
                w.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        String id = "churn-" + name.replace(':', '-').replace("--", "-");
        ws.sendText("{\"type\":\"hello\",\"clientId\":\"" + id.substring(0, Math.min(64, id.length())) + "\"}", true)
                .get(10, TimeUnit.SECONDS);
        ws.sendText("{\"type\":\"open\",\"doc\":\"" + doc + "\"}", true).get(10, TimeUnit.SECONDS);
        int action = random.nextInt(4);
        if (action > 0) { // else: leave before the open is answered
            String m = opened.get(10, TimeUnit.SECONDS);
            if (action == 3) {
                Matcher v = Pattern.compile("\"version\":(\\d+)").matcher(m);
                assertTrue(v.find());
                ws.sendText("{\"type\":\"op\",\"doc\":\"" + doc + "\",\"version\":" + v.group(1)
                        + ",\"seq\":1,\"op\":[\"x\"]}", true).get(10, TimeUnit.SECONDS);
                acked.get(10, TimeUnit.SECONDS);
            }
        }
        if (random.nextBoolean()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        } else {
            ws.abort();
        }
    }

    /** Waits until the server holds no connection, no subscriber and no document. */
    private static void settle(EditorServer server, HttpClient http) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String metrics = http.send(HttpRequest.newBuilder(server.uri().resolve("/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = CONNECTIONS.matcher(metrics);
            double connections = m.find() ? Double.parseDouble(m.group(1)) : -1;
            if (connections == 0 && server.service().connectedPeers() == 0 && server.service().loadedDocuments() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after 30 s: " + connections + " connections, "
                        + server.service().connectedPeers() + " peers, " + server.service().loadedDocuments() + " documents");
            }
            Thread.sleep(100);
        }
    }
}
