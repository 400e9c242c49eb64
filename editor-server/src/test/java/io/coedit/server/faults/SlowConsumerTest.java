package io.coedit.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import io.coedit.server.ws.ConnectionLimits;
import io.coedit.server.ws.RawWebSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscriber that stops reading while a writer sends large ops: the server queues for it up
 * to the cap and then closes it; meanwhile the writer's ops keep being acknowledged one after
 * another and the readers keep receiving every op (the stuck client never holds them up),
 * and the server's heap stays within a bound.
 */
class SlowConsumerTest {
    private static final Pattern DROPPED = Pattern.compile(
            "coedit_connections_dropped_total\\{reason=\"slow_reader\"[^}]*} ([0-9.]+)");
    private static final long QUEUE_CAP = 256 * 1024;
    /** Ops between two heap samples; a sample costs a few full collections. */
    private static final int SAMPLE_EVERY = 20;
    /** Ops sent after the drop is seen, sampled like the ones before. */
    private static final int OPS_AFTER_DROP = 60;
    /** How far the heap after GC may grow from the start at any sample. */
    private static final long MAX_GROWTH = 64_000_000;

    @TempDir
    Path data;

    @Test
    void aClientThatStopsReadingIsClosedAtTheCapAndTheOthersCarryOn() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        EditorServer server = EditorServer.builder().port(0).dataDir(data)
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(100_000).withMaxMessageBytes(64 * 1024)
                        .withMaxQueuedBytes(QUEUE_CAP).withIdleTimeout(Duration.ofSeconds(60)))
                .build().start();
        String doc = "slow";
        try {
            long baseline = Heap.usedAfterGc();
            EditingClient writer = new EditingClient("slow-writer", doc, http);
            List<EditingClient> readers = new ArrayList<>();
            writer.connect(server.webSocketUri());
            for (int i = 0; i < 3; i++) {
                EditingClient r = new EditingClient("slow-reader-" + i, doc, http);
                r.connect(server.webSocketUri());
                readers.add(r);
            }
            // The stuck client: a small receive buffer; says hello, opens, and never reads again.
            RawWebSocket stuck = new RawWebSocket(server.webSocketUri(), 4096);
            stuck.sendText("{\"type\":\"hello\",\"clientId\":\"stuck\"}");
            stuck.sendText("{\"type\":\"open\",\"doc\":\"" + doc + "\"}");
            waitUntilOpen(writer);
            readers.forEach(SlowConsumerTest::waitUntilOpenQuietly);

            String chunk = "x".repeat(20_000); // ~40 KB queued per op for the stuck client
            int opsBeforeDrop = -1;
            // The heap after GC, every SAMPLE_EVERY ops from the first on, while the client is stuck and
            // after its drop, and once more when the drop is seen: every sample is held to the bound.
            List<long[]> samples = new ArrayList<>(); // {op, used bytes, 1 from the drop on}
            for (int i = 1; i <= 400 && (opsBeforeDrop < 0 || i <= opsBeforeDrop + OPS_AFTER_DROP); i++) {
                writer.type(i % 2 == 1 ? TextOperation.insert(0, chunk) : TextOperation.delete(0, chunk.length()));
                // Each op is acked before the next: a writer held up by the stuck client would stall here.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!writer.settled()) {
                    assertTrue(System.nanoTime() < deadline, "op " + i + " not acknowledged within 10 s");
                    writer.pumpWaiting(5);
                    readers.forEach(EditingClient::pump);
                }
                boolean seenNow = false;
                if (opsBeforeDrop < 0 && i % 5 == 0 && dropped(http, server) > 0) {
                    opsBeforeDrop = i;
                    seenNow = true;
                }
                if (seenNow || i % SAMPLE_EVERY == 1) {
                    samples.add(new long[] {i, Heap.usedAfterGc(), opsBeforeDrop > 0 ? 1 : 0});
                }
            }
            assertTrue(opsBeforeDrop > 0, "the stuck client was never dropped");
            // The cap is what it may cost: at most about cap / frame size frames before the drop (plus socket buffers).
            assertTrue(opsBeforeDrop >= QUEUE_CAP / (4 * chunk.length()), "dropped after only " + opsBeforeDrop + " ops");
            assertEquals(1.0, dropped(http, server), "exactly one connection dropped as a slow reader");
            StringBuilder seen = new StringBuilder();
            long peakHeap = 0;
            int whileStuck = 0;
            int afterDrop = 0;
            for (long[] sample : samples) {
                seen.append(seen.length() == 0 ? "" : ", ").append("op ").append(sample[0]).append(sample[0] == opsBeforeDrop ? " (drop seen) " : " ")
                        .append(Heap.mb(sample[1]));
                peakHeap = Math.max(peakHeap, sample[1]);
                if (sample[2] == 1) {
                    afterDrop++;
                } else {
                    whileStuck++;
                }
            }
            System.out.println("slow consumer: dropped after " + opsBeforeDrop + " ops of " + chunk.length()
                    + " characters (cap " + QUEUE_CAP + " bytes); heap after GC " + Heap.mb(baseline) + " at the start, "
                    + Heap.mb(peakHeap) + " at most; " + samples.size() + " samples: " + seen);
            // One from the first op while stuck; the one where the drop is seen and one every SAMPLE_EVERY ops after it.
            assertTrue(whileStuck >= Math.max(1, (opsBeforeDrop - 1) / SAMPLE_EVERY)
                    && afterDrop >= 1 + OPS_AFTER_DROP / SAMPLE_EVERY, "too few heap samples ("
                    + whileStuck + " while stuck, " + afterDrop + " from the drop on): " + seen);
            for (long[] sample : samples) {
                assertTrue(sample[1] - baseline < MAX_GROWTH, "at op " + sample[0] + " the heap had grown by "
                        + Heap.mb(sample[1] - baseline) + " (bound " + Heap.mb(MAX_GROWTH) + "); samples: " + seen);
            }
            int code = stuck.readUntilClosed(); // reading again, it finds what was on its way, then the close
            assertTrue(code == 1008 || code == -1, "closed with 1008 (or the socket just ended), got " + code);
            stuck.close();
            List<EditingClient> everyone = new ArrayList<>(readers);
            everyone.add(writer);
            Faults.converge(everyone, List.of(doc), server.webSocketUri(), http, server.uri(), "slow consumer");
            for (EditingClient r : readers) {
                assertEquals(0, r.reconnects, r.id + " was never cut off");
            }
        } finally {
            server.close();
        }
    }

    private static void waitUntilOpen(EditingClient c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.settled()) {
            assertTrue(System.nanoTime() < deadline, c.id + " did not open");
            c.pumpWaiting(5);
        }
    }

    private static void waitUntilOpenQuietly(EditingClient c) {
        try {
            waitUntilOpen(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double dropped(HttpClient http, EditorServer server) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(server.uri().resolve("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = DROPPED.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
