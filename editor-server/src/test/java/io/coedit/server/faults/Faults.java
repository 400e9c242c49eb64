package io.coedit.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * Shared settings of the fault tests. They run short in {@code mvn verify}; the long versions
 * (more rounds, clients, cycles, minutes) run with {@code -Dcoedit.faults.long=true}, see
 * BENCHMARKS.md. Random choices come from {@code -Dcoedit.faults.seed} or a printed seed.
 */
final class Faults {
    static final boolean LONG = Boolean.getBoolean("coedit.faults.long");

    private Faults() {}

    static long seed(String test) {
        long seed = Long.getLong("coedit.faults.seed", new Random().nextLong());
        System.out.println(test + ": seed " + seed + " (rerun with -Dcoedit.faults.seed=" + seed + ")"
                + (LONG ? ", long version" : ""));
        return seed;
    }

    static int pick(int short_, int long_) {
        return LONG ? long_ : short_;
    }

    /** {@code GET /api/docs/{doc}}: its version and text. */
    static JsonObject served(HttpClient http, URI base, String doc) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/docs/" + doc))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), () -> "GET " + doc + ": " + r.body());
            return JsonParser.parseString(r.body()).getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + doc + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reconnects whoever is disconnected and delivers everything until every client has
     * nothing unacknowledged and holds the server's version and text of its document.
     */
    static void converge(List<EditingClient> clients, List<String> docs, URI ws, HttpClient http, URI base, String seedNote)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            boolean settled = true;
            for (EditingClient c : clients) {
                if (!c.connected()) {
                    c.connect(ws);
                }
                c.pumpWaiting(1);
                settled &= c.settled();
            }
            if (settled) {
                boolean same = true;
                for (String doc : docs) {
                    long head = served(http, base, doc).get("version").getAsLong();
                    for (EditingClient c : clients) {
                        same &= !c.doc.equals(doc) || c.version() == head;
                    }
                }
                if (same) {
                    break;
                }
            }
            if (System.nanoTime() > deadline) {
                StringBuilder state = new StringBuilder();
                for (EditingClient c : clients) {
                    state.append("\n  ").append(c.id).append(" at ").append(c.version()).append(c.settled() ? "" : " (unsettled)");
                }
                fail("clients did not converge within 60 s (" + seedNote + "):" + state);
            }
        }
        for (String doc : docs) {
            JsonObject served = served(http, base, doc);
            for (EditingClient c : clients) {
                if (c.doc.equals(doc)) {
                    assertEquals(served.get("text").getAsString(), c.text(), c.id + "'s text differs from the server's (" + seedNote + ")");
                }
            }
        }
    }
}
