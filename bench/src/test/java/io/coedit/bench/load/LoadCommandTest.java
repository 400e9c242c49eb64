package io.coedit.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.bench.BenchMain;
import io.coedit.ot.Rope;
import io.coedit.server.EditorServer;
import io.coedit.server.session.DocumentService;
import io.coedit.server.store.PostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Argument handling, failing fast, and runs against a real server judged by what they did (the
 * counts of the summary against each other and against the server's history, the final texts),
 * never by how long they took.
 */
class LoadCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = BenchMain.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private LoadCommand.Plan plan(String... args) {
        CommandLine commandLine = BenchMain.commandLine();
        commandLine.parseArgs(args);
        CommandLine load = commandLine.getSubcommands().get("load");
        return ((LoadCommand) load.getCommand()).plan();
    }

    @Test
    void helpListsTheOptions() {
        assertEquals(0, run("load", "--help"));
        for (String option : List.of("--url", "--docs", "--clients", "--lurkers", "--rate", "--duration", "--ramp",
                "--trace", "--seed", "--batch")) {
            assertTrue(out.toString().contains(option), option + " in " + out);
        }
    }

    @Test
    void badUrlsAreUsageErrorsSayingWhy() {
        assertEquals(2, run("load", "--url", "http://127.0.0.1:8080/ws"));
        assertTrue(err.toString().contains("--url must start with ws:// or wss://"), err::toString);
        assertEquals(2, run("load", "--url", "ws//127.0.0.1:8080/ws"));
        assertEquals(2, run("load", "--url", "ws://127.0.0.1:8080"));
        assertTrue(err.toString().contains("the server's WebSocket is at /ws"), err::toString);
        assertEquals(2, run("load", "--url", "ws://exa mple/ws"));
        assertEquals(2, run("load"));
        assertTrue(err.toString().contains("Missing required option: '--url=URL'"), err::toString);
    }

    @Test
    void badNumbersAreUsageErrors() {
        assertEquals(2, run("load", "--url", "ws://127.0.0.1:1/ws", "--docs", "0"));
        assertEquals(2, run("load", "--url", "ws://127.0.0.1:1/ws", "--clients", "0", "--lurkers", "0"));
        assertEquals(2, run("load", "--url", "ws://127.0.0.1:1/ws", "--rate", "-3"));
        assertEquals(2, run("load", "--url", "ws://127.0.0.1:1/ws", "--rate", "fast"));
        assertEquals(2, run("load", "--url", "ws://127.0.0.1:1/ws", "--duration", "soon"));
        assertEquals(2, run("load", "--url", "ws://127.0.0.1:1/ws", "--duration", "10s", "--ramp", "20s"));
        assertEquals(2, run("load", "--url", "ws://127.0.0.1:1/ws", "--doc-prefix", "-x"));
        assertEquals(2, run("load", "--url", "ws://127.0.0.1:1/ws", "--clients", "0", "--lurkers", "3",
                "--trace", "t.json"));
        assertTrue(err.toString().contains("--rate must be a positive number"), err::toString);
        assertTrue(err.toString().contains("--ramp (20s) must not be longer than --duration (10s)"), err::toString);
    }

    @Test
    void aPlanHoldsTheParsedSettings() {
        LoadCommand.Plan p = plan("load", "--url", "ws://127.0.0.1:9/ws", "--docs", "200", "--clients", "5",
                "--lurkers", "3", "--rate", "2.5", "--duration", "2m", "--ramp", "1500ms", "--seed", "42",
                "--doc-prefix", "bench");
        assertEquals("http://127.0.0.1:9/", p.http().toString());
        assertEquals(200 * 8, p.connections());
        assertEquals(2.5, p.rate());
        assertEquals(120_000_000_000L, p.durationNanos());
        assertEquals(1_500_000_000L, p.rampNanos());
        assertEquals(42, p.seed());
        assertEquals("bench", p.docPrefix());
        assertTrue(!p.batch(), "plain delivery unless asked");
        assertTrue(plan("load", "--url", "ws://h/ws", "--batch").batch());
        assertTrue(plan("load", "--url", "ws://h/ws").closedLoop());
        assertEquals(30_000_000_000L, plan("load", "--url", "ws://h/ws").durationNanos(), "30 s by default");
        assertEquals(7_000_000_000L, plan("load", "--url", "ws://h/ws", "--duration", "7").durationNanos(), "seconds");
    }

    @Test
    void aDeadServerIsFoundByTheProbeBeforeAnyClientStarts() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nobody listens there
        }
        String url = "ws://127.0.0.1:" + port + "/ws";
        String refused = "cannot connect to " + url + ": connection refused";
        // The health probe is what stops the run: it says why on its own ...
        String probed = LoadCommand.probe(plan("load", "--url", url, "--duration", "1h"));
        assertTrue(probed != null && probed.startsWith(refused), () -> "probe: " + probed);
        // ... and the command ends on it, with no run: the plan, then why, on stderr; no summary; exit 1.
        assertEquals(1, run("load", "--url", url, "--duration", "1s", "--clients", "3", "--docs", "4"));
        List<String> lines = err.toString().strip().lines().toList();
        assertEquals(2, lines.size(), err::toString);
        assertTrue(lines.get(0).startsWith("load: 4 docs x (3 writers + 0 lurkers) = 12 connections"), lines::toString);
        assertEquals("load: " + probed, lines.get(1));
        assertEquals("", out.toString(), "no summary for a run that never started");
    }

    @Test
    void aServerThatIsNotCoeditIsReported() throws Exception {
        // Something listens but never answers HTTP: the connect timeout ends the wait.
        try (ServerSocket silent = new ServerSocket(0)) {
            assertEquals(1, run("load", "--url", "ws://127.0.0.1:" + silent.getLocalPort() + "/ws",
                    "--connect-timeout", "300ms", "--duration", "1s"));
            assertTrue(err.toString().contains("cannot"), err::toString);
        }
    }

    @ParameterizedTest(name = "batched delivery: {0}")
    @ValueSource(booleans = {false, true})
    void aRunAgainstARealServerReportsWhatTheServerStored(boolean batched, @TempDir Path data) throws Exception {
        try (EditorServer server = EditorServer.builder().port(0).dataDir(data).build().start()) {
            List<String> args = new ArrayList<>(List.of("load", "--url", server.webSocketUri().toString(), "--docs", "2",
                    "--clients", "2", "--lurkers", "1", "--rate", "40", "--duration", "2s", "--ramp", "0s", "--seed", "7",
                    "--doc-prefix", "run", "--server-pid", String.valueOf(ProcessHandle.current().pid())));
            if (batched) {
                args.add("--batch");
            }
            assertEquals(0, run(args.toArray(String[]::new)), err::toString);
            JsonObject summary = JsonParser.parseString(out.toString()).getAsJsonObject();
            assertTrue(summary.get("ok").getAsBoolean(), summary::toString);
            assertFalse(summary.has("failure"), summary::toString);

            JsonObject config = summary.getAsJsonObject("config");
            assertEquals(2, config.get("docs").getAsInt());
            assertEquals(2, config.get("clients").getAsInt());
            assertEquals(1, config.get("lurkers").getAsInt());
            assertEquals(7, config.get("seed").getAsLong());
            assertEquals("run", config.get("docPrefix").getAsString());
            assertEquals(batched, config.get("batch").getAsBoolean());

            JsonObject connections = summary.getAsJsonObject("connections");
            assertEquals(6, connections.get("planned").getAsInt());
            assertEquals(6, connections.get("opened").getAsInt());
            assertEquals(0, connections.get("failed").getAsInt());
            assertEquals(0, connections.getAsJsonObject("closedByServer").size(), connections::toString);
            assertEquals(0, summary.getAsJsonObject("errors").size(), summary::toString);

            // Every op sent was acked once, and is in the server's history once; each reached the two
            // other clients of its document.
            JsonObject ops = summary.getAsJsonObject("ops");
            long sent = ops.get("sent").getAsLong();
            long acked = ops.get("acked").getAsLong();
            assertTrue(acked > 0, ops::toString);
            assertEquals(sent, acked, ops::toString);
            assertEquals(0, ops.get("resent").getAsLong(), ops::toString);
            assertTrue(ops.get("keystrokes").getAsLong() >= sent - 2 * 2, ops::toString); // each writer's seed is not a keystroke
            assertEquals(2 * acked, ops.get("delivered").getAsLong(), ops::toString);
            long stored = 0;
            for (String doc : List.of("run-0", "run-1")) {
                DocumentService service = server.service();
                DocumentService.DocumentText served = service.text(doc, null).get(10, TimeUnit.SECONDS).orElseThrow();
                Rope replay = Rope.of("");
                for (DocumentService.HistoryEntry op : service.ops(doc, 0, served.version())) {
                    replay.apply(op.op());
                }
                assertEquals(replay.toString(), served.text(), doc + ": the served text is what the history replays");
                stored += served.version();
            }
            assertEquals(acked, stored, "acked ops against the server's history");

            JsonObject convergence = summary.getAsJsonObject("convergence");
            assertTrue(convergence.get("converged").getAsBoolean(), convergence::toString);
            assertEquals(2, convergence.get("documents").getAsInt());
            assertEquals(6, convergence.get("clientsChecked").getAsInt());
            assertEquals(0, convergence.get("clientsBroken").getAsInt());
            assertEquals(acked, summary.getAsJsonObject("ackLatencyMs").get("count").getAsLong(), summary::toString);
            assertEquals(ProcessHandle.current().pid(), summary.getAsJsonObject("cpu").get("serverPid").getAsLong());
        }
    }

    @Test
    void severalUrlsAreNodesAndTheSpreadSaysWhoGoesWhere() {
        LoadCommand.Plan p = plan("load", "--url", "ws://a:1/ws", "--url", "ws://b:2/ws,ws://c:3/ws", "--docs", "4",
                "--clients", "3", "--lurkers", "1");
        assertEquals(3, p.nodes().size());
        assertEquals("http://b:2/", p.http(1).toString());
        assertTrue(!p.spreadDocuments(), "writers are spread over the nodes unless asked");
        // Writers spread: a document's members take the nodes in turn, starting one further each document.
        assertEquals(List.of(0, 1, 2, 0), List.of(p.nodeOf(0, 0), p.nodeOf(0, 1), p.nodeOf(0, 2), p.nodeOf(0, 3)));
        assertEquals(List.of(1, 2, 0), List.of(p.nodeOf(1, 0), p.nodeOf(1, 1), p.nodeOf(1, 2)));
        LoadCommand.Plan byDocument = plan("load", "--url", "ws://a:1/ws,ws://b:2/ws", "--spread", "documents",
                "--docs", "3", "--clients", "3");
        assertTrue(byDocument.spreadDocuments());
        assertEquals(List.of(0, 0, 0, 1, 1, 1, 0), List.of(byDocument.nodeOf(0, 0), byDocument.nodeOf(0, 1),
                byDocument.nodeOf(0, 2), byDocument.nodeOf(1, 0), byDocument.nodeOf(1, 2), byDocument.nodeOf(1, 1),
                byDocument.nodeOf(2, 1)));
        assertEquals(0, plan("load", "--url", "ws://a:1/ws", "--clients", "3").nodeOf(5, 2), "one node holds everyone");

        assertEquals(2, run("load", "--url", "ws://a:1/ws", "--spread", "users"));
        assertTrue(err.toString().contains("--spread must be 'writers' or 'documents'"), err::toString);
        assertEquals(2, run("load", "--url", "ws://a:1/ws,http://b:2/ws"));
        assertTrue(err.toString().contains("--url must start with ws:// or wss://, got 'http://b:2/ws'"), err::toString);
        assertEquals(2, run("load", "--url", "ws://a:1/ws,ws://b:2/ws", "--server-pid", "1,2,3"));
        assertTrue(err.toString().contains("--server-pid: 3 processes for 2 URLs"), err::toString);
    }

    /**
     * Two nodes on one real PostgreSQL: the writers of each document spread over both, so ops
     * cross between nodes; the summary tells those deliveries from the ones within a node, every
     * node serves every document as the clients hold it, and nothing is lost. With the
     * documents spread instead, nothing crosses.
     */
    @Test
    void aRunOverTwoNodesMeasuresDeliveryAcrossThem() throws Exception {
        PostgresServer postgres = PostgresServer.shared();
        String url = postgres.jdbcUrl(postgres.newDatabase());
        try (EditorServer a = EditorServer.builder().port(0).database(url, postgres.user(), postgres.password()).build().start();
                EditorServer b = EditorServer.builder().port(0).database(url, postgres.user(), postgres.password()).build()
                        .start()) {
            String urls = a.webSocketUri() + "," + b.webSocketUri();
            String pid = String.valueOf(ProcessHandle.current().pid());
            assertEquals(0, run("load", "--url", urls, "--docs", "2", "--clients", "2", "--lurkers", "1", "--rate", "40",
                    "--duration", "2s", "--seed", "11", "--doc-prefix", "spread", "--server-pid", pid + "," + pid),
                    err::toString);
            JsonObject summary = JsonParser.parseString(out.toString()).getAsJsonObject();
            assertTrue(summary.get("ok").getAsBoolean(), summary::toString);
            assertEquals(2, summary.getAsJsonObject("config").getAsJsonArray("urls").size());
            assertEquals("writers", summary.getAsJsonObject("config").get("spread").getAsString());
            JsonObject ops = summary.getAsJsonObject("ops");
            long acked = ops.get("acked").getAsLong();
            assertEquals(ops.get("sent").getAsLong(), acked, ops::toString);
            assertEquals(2 * acked, ops.get("delivered").getAsLong(), ops::toString);
            long cross = summary.getAsJsonObject("crossNodeDeliveryMs").get("count").getAsLong();
            long same = summary.getAsJsonObject("sameNodeDeliveryMs").get("count").getAsLong();
            // Per document: writer 0 and the lurker on one node, writer 1 on the other. Writer 0's ops
            // reach the lurker within its node and writer 1 across; writer 1's reach both across.
            assertTrue(cross > 0 && same > 0, summary::toString);
            assertEquals(ops.get("delivered").getAsLong(), cross + same, summary::toString);
            JsonObject convergence = summary.getAsJsonObject("convergence");
            assertEquals(2, convergence.get("nodesChecked").getAsInt(), convergence::toString);
            assertEquals(6, convergence.get("clientsChecked").getAsInt(), convergence::toString);
            long stored = 0;
            for (String doc : List.of("spread-0", "spread-1")) {
                stored += a.service().text(doc, null).get(10, TimeUnit.SECONDS).orElseThrow().version();
            }
            assertEquals(acked, stored, "acked ops against the history");
            assertEquals(2, summary.getAsJsonObject("cpu").getAsJsonArray("servers").size(), summary::toString);

            out.getBuffer().setLength(0);
            assertEquals(0, run("load", "--url", urls, "--spread", "documents", "--docs", "2", "--clients", "2",
                    "--rate", "40", "--duration", "1s", "--seed", "12", "--doc-prefix", "apart"), err::toString);
            JsonObject apart = JsonParser.parseString(out.toString()).getAsJsonObject();
            assertTrue(apart.get("ok").getAsBoolean(), apart::toString);
            assertEquals(0, apart.getAsJsonObject("crossNodeDeliveryMs").get("count").getAsLong(), apart::toString);
            assertEquals(apart.getAsJsonObject("ops").get("delivered").getAsLong(),
                    apart.getAsJsonObject("sameNodeDeliveryMs").get("count").getAsLong(), apart::toString);
        }
    }

    @Test
    void throughputIsAckedOverSeconds() {
        Map<String, Object> t = LoadCommand.throughput(1_000, 600, 10.0, 5.0);
        assertEquals(100.0, t.get("ackedPerSecond"));
        assertEquals(120.0, t.get("ackedPerSecondAfterRamp"));
        assertEquals(0.0, LoadCommand.throughput(5, 5, 0, 0).get("ackedPerSecond"));
    }
}
