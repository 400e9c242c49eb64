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
    /** The document's text from replaying its whole history, as read over HTTP. */
    static String replay(HttpClient http, URI base, String doc) {
        try {
            io.coedit.ot.Rope text = io.coedit.ot.Rope.of("");
            long from = 0;
            while (true) { // at most 1,000 operations a request
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/docs/" + doc + "/ops?from=" + from))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
                JsonObject page = JsonParser.parseString(r.body()).getAsJsonObject();
                if (page.getAsJsonArray("ops").isEmpty()) {
                    return text.toString();
                }
                for (com.google.gson.JsonElement op : page.getAsJsonArray("ops")) {
                    text.apply(io.coedit.ot.json.OpJson.withMaxComponents(Integer.MAX_VALUE).fromJson(op.getAsJsonObject().get("op")));
                }
                from = page.get("to").getAsLong();
            }
        } catch (IOException | RuntimeException e) {
            return "(could not replay: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String firstDifference(String a, String b) {
        int i = 0;
        while (i < Math.min(a.length(), b.length()) && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return "; first difference at UTF-16 index " + i + " of " + a.length() + "/" + b.length() + ": client "
                + a.substring(i, Math.min(a.length(), i + 4)).codePoints().mapToObj(Integer::toHexString).toList()
                + ", served " + b.substring(i, Math.min(b.length(), i + 4)).chars().mapToObj(Integer::toHexString).toList();
    }

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
                if (c.doc.equals(doc) && !served.get("text").getAsString().equals(c.text())) {
                    // Which is off: the text served, or the client? Read the text again, and the history.
                    String again = served(http, base, doc).get("text").getAsString();
                    String replayed = replay(http, base, doc);
                    fail(c.id + "'s text differs from the server's (" + seedNote + "); read again the served text "
                            + (again.equals(c.text()) ? "equals" : "still differs from") + " the client's; the history replayed "
                            + (replayed.equals(c.text()) ? "equals the client's" : replayed.equals(again) ? "equals the served text"
                            : "equals neither") + firstDifference(c.text(), again));
                }
                if (c.doc.equals(doc)) {
                    assertEquals(served.get("text").getAsString(), c.text(), c.id + "'s text differs from the server's (" + seedNote + ")");
                }
            }
        }
    }
}
