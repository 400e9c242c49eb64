package io.coedit.bench.load;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.bench.trace.EditingTrace;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code load}: drives protocol-v1 clients against a running editor-server and prints what
 * they measured as JSON. Writers edit (random small edits, or a trace's keystrokes) and
 * lurkers only follow. Ack latency is submit → ack at the sender; remote-delivery latency is
 * submit → the op arriving at each other client of the document (one process, one clock).
 * At the end every client must hold what the server holds ({@code GET /api/docs/{id}}).
 */
@Command(name = "load",
        description = {
            "Drives protocol-v1 clients against a running coedit server and prints a JSON summary.",
            "%nThe server must allow the load: e.g. --max-sessions-per-address above the number of"
                    + " connections and --max-ops-per-second above a client's rate (a closed loop sends"
                    + " as fast as acks come back)."
        })
public final class LoadCommand implements Callable<Integer> {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");
    /** Handshakes in flight at once: enough to connect thousands quickly, few enough not to swamp the accept queue. */
    private static final int CONCURRENT_CONNECTS = 64;
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = "--url", required = true, split = ",", paramLabel = "URL",
            description = "The server's WebSocket address, e.g. ws://127.0.0.1:8080/ws. Several (repeated or"
                    + " comma-separated) are nodes of one cluster: clients are spread over them (see --spread).")
    List<String> urls;

    @Option(names = "--spread", defaultValue = "writers", paramLabel = "writers|documents",
            description = "With several URLs: 'writers' puts the members of each document on the nodes in turn, so"
                    + " its ops cross between nodes; 'documents' puts all of a document's members on one node, the"
                    + " documents taking the nodes in turn (default: ${DEFAULT-VALUE}).")
    String spread;

    @Option(names = "--docs", defaultValue = "1", paramLabel = "N", description = "Documents (default: ${DEFAULT-VALUE}).")
    int docs;

    @Option(names = "--clients", defaultValue = "2", paramLabel = "N",
            description = "Writers per document (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--lurkers", defaultValue = "0", paramLabel = "N",
            description = "Read-only subscribers per document (default: ${DEFAULT-VALUE}).")
    int lurkers;

    @Option(names = "--rate", defaultValue = "closed", paramLabel = "OPS|closed",
            description = "Edits per second per writer, or 'closed': the next edit as soon as the last is"
                    + " acknowledged (default: ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = "--duration", defaultValue = "30s", paramLabel = "TIME",
            description = "How long to edit, ramp included, e.g. 500ms, 30s, 2m (default: ${DEFAULT-VALUE}); with"
                    + " --trace, the longest to wait for the typing to finish (default then: none).")
    String duration;

    @Option(names = "--ramp", defaultValue = "0s", paramLabel = "TIME",
            description = "Connect clients evenly over this time, each starting to edit once open; 0 connects"
                    + " everyone first and starts them together (default: ${DEFAULT-VALUE}).")
    String ramp;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Type this editing trace's keystrokes instead of random edits: the writers of a document"
                    + " split it into consecutive parts, each typed in its own region of the document.")
    Path trace;

    @Option(names = "--batch",
            description = "Clients ask for batched delivery (hello \"batch\": true): per document, one ops message"
                    + " per server flush window instead of an op or ack per operation. Latencies are still per operation.")
    boolean batch;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the random edits (default: random, printed).")
    Long seed;

    @Option(names = "--doc-prefix", paramLabel = "NAME",
            description = "Documents are named PREFIX-0, PREFIX-1, … (default: load-<run id>, new each run).")
    String docPrefix;

    @Option(names = "--window", defaultValue = "5s", paramLabel = "TIME",
            description = "Length of a timeline slice in the summary (default: ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--connect-timeout", defaultValue = "5s", paramLabel = "TIME",
            description = "Give up on the server after this long (default: ${DEFAULT-VALUE}).")
    String connectTimeout;

    @Option(names = "--server-pid", split = ",", paramLabel = "PID",
            description = "The server's process, to report its CPU time; one per URL, in their order (default: the"
                    + " process listening on each URL's port, when this machine's /proc tells).")
    List<Long> serverPids;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the JSON summary to this file.")
    Path out;

    @Spec
    CommandSpec spec;

    /** The settings of a run, checked. {@code nodes} are the servers' WebSocket addresses, at least one. */
    record Plan(List<URI> nodes, boolean spreadDocuments, int docs, int clients, int lurkers, double rate,
            long durationNanos, long rampNanos, long windowNanos, Duration connectTimeout, long seed, String docPrefix,
            boolean batch) {
        /** The first node's WebSocket address. */
        URI ws() {
            return nodes.get(0);
        }

        /** The first node's HTTP root. */
        URI http() {
            return http(0);
        }

        /** A node's HTTP root, for its health check and its documents. */
        URI http(int node) {
            URI ws = nodes.get(node);
            return URI.create((ws.getScheme().equals("wss") ? "https" : "http") + "://" + ws.getRawAuthority() + "/");
        }

        /**
         * The node of a document's member (writers first, then lurkers): with the writers spread,
         * the members take the nodes in turn, each document starting one node further, so every
         * node has writers of every document once there are as many writers as nodes; with the
         * documents spread, all of document {@code d}'s members are on node {@code d mod n}.
         */
        int nodeOf(int doc, int member) {
            return spreadDocuments ? doc % nodes.size() : (doc + member) % nodes.size();
        }

        boolean closedLoop() {
            return rate <= 0;
        }

        int connections() {
            return docs * (clients + lurkers);
        }
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        err.printf(Locale.ROOT, "load: %d docs x (%d writers + %d lurkers) = %d connections, rate %s, seed %d, docs %s-*%s%n",
                plan.docs(), plan.clients(), plan.lurkers(), plan.connections(),
                plan.closedLoop() ? "closed loop" : plan.rate() + "/s", plan.seed(), plan.docPrefix(),
                plan.batch() ? ", batched delivery" : "");
        err.flush();

        String unreachable = probe(plan);
        if (unreachable != null) {
            err.println("load: " + unreachable);
            return 1;
        }
        EditingTrace editingTrace = null;
        if (trace != null) {
            try {
                editingTrace = EditingTrace.read(trace);
            } catch (IOException e) {
                err.println("load: cannot read trace " + trace + ": " + e.getMessage());
                return 1;
            }
        }
        List<OptionalLong> pids = new ArrayList<>();
        for (int n = 0; n < plan.nodes().size(); n++) {
            pids.add(serverPids != null ? OptionalLong.of(serverPids.get(n)) : localServerPid(plan.nodes().get(n)));
        }
        Map<String, Object> summary = new LoadRun(plan, editingTrace, pids, err).run();
        Gson gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
        String json = gson.toJson(summary);
        stdout.println(json);
        stdout.flush();
        if (out != null) {
            Files.writeString(out, json + "\n");
        }
        return Boolean.TRUE.equals(summary.get("ok")) ? 0 : 1;
    }

    /** Checks the arguments; a bad one is a usage error (exit 2) saying what is wrong. */
    Plan plan() {
        List<URI> nodes = new ArrayList<>();
        for (String url : urls) {
            nodes.add(webSocketUri(url));
        }
        if (!spread.equals("writers") && !spread.equals("documents")) {
            throw usage("--spread must be 'writers' or 'documents', got '" + spread + "'");
        }
        if (serverPids != null && serverPids.size() != nodes.size()) {
            throw usage("--server-pid: " + serverPids.size() + " processes for " + nodes.size() + " URLs; give one per URL");
        }
        if (docs < 1) {
            throw usage("--docs must be at least 1, got " + docs);
        }
        if (clients < 0 || lurkers < 0 || clients + lurkers < 1) {
            throw usage("--clients and --lurkers must not be negative, and there must be at least one client");
        }
        if (trace != null && clients < 1) {
            throw usage("--trace needs at least one writer (--clients)");
        }
        double r = parseRate(rate);
        long d = trace != null && spec != null && !spec.commandLine().getParseResult().hasMatchedOption("--duration")
                ? 0 : nanos("--duration", duration);
        long rampNanos = nanos("--ramp", ramp);
        if (trace == null && d <= 0) {
            throw usage("--duration must be positive");
        }
        if (d > 0 && rampNanos > d) {
            throw usage("--ramp (" + ramp + ") must not be longer than --duration (" + duration + ")");
        }
        long w = nanos("--window", window);
        if (w < 100_000_000L) {
            throw usage("--window must be at least 100ms");
        }
        long timeout = nanos("--connect-timeout", connectTimeout);
        if (timeout < 1_000_000L) {
            throw usage("--connect-timeout must be at least 1ms");
        }
        long s = seed != null ? seed : new Random().nextLong();
        String prefix = docPrefix != null ? docPrefix : "load-" + Long.toString(System.currentTimeMillis(), 36);
        if (!prefix.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,100}")) {
            throw usage("--doc-prefix must be letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return new Plan(List.copyOf(nodes), spread.equals("documents"), docs, clients, lurkers, r, d, rampNanos, w,
                Duration.ofNanos(timeout), s, prefix, batch);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** A ws:// or wss:// URL with a host; anything else is a usage error naming what is wrong. */
    URI webSocketUri(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw usage("--url is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("ws") || uri.getScheme().equals("wss"))) {
            throw usage("--url must start with ws:// or wss://, got '" + text + "'");
        }
        if (uri.getHost() == null) {
            throw usage("--url has no host: '" + text + "'");
        }
        if (uri.getPath() == null || uri.getPath().isEmpty()) {
            throw usage("--url has no path; the server's WebSocket is at /ws, e.g. ws://127.0.0.1:8080/ws");
        }
        return uri;
    }

    double parseRate(String text) {
        if (text.equalsIgnoreCase("closed")) {
            return 0;
        }
        try {
            double r = Double.parseDouble(text);
            if (r > 0 && Double.isFinite(r)) {
                return r;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw usage("--rate must be a positive number of edits per second or 'closed', got '" + text + "'");
    }

    long nanos(String option, String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw usage(option + " must be a time such as 500ms, 30s, 2m or 1h, got '" + text + "'");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double factor = switch (unit) {
            case "ms" -> 1e6;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> 1e9;
        };
        return (long) (value * factor);
    }

    /**
     * Null if the server answers its health check within the connect timeout; otherwise what
     * went wrong, for a clear message and a quick exit.
     */
    static String probe(Plan plan) {
        for (int n = 0; n < plan.nodes().size(); n++) {
            String failure = probe(plan, n);
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    private static String probe(Plan plan, int node) {
        URI ws = plan.nodes().get(node);
        URI health = plan.http(node).resolve("/healthz");
        HttpClient http = HttpClient.newBuilder().connectTimeout(plan.connectTimeout()).build();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).timeout(plan.connectTimeout()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return "the server at " + ws + " is not ready: GET " + health + " answered HTTP " + r.statusCode()
                        + (r.statusCode() == 404 ? " (is this a coedit server?)" : "");
            }
            return null;
        } catch (ConnectException e) {
            return "cannot connect to " + ws + ": connection refused (is the server running on that port?)";
        } catch (HttpConnectTimeoutException e) {
            return "cannot connect to " + ws + ": no answer within " + plan.connectTimeout().toMillis() + " ms";
        } catch (IOException e) {
            return "cannot reach " + ws + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static OptionalLong localServerPid(URI ws) {
        try {
            if (!InetAddress.getByName(ws.getHost()).isLoopbackAddress()) {
                return OptionalLong.empty();
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        int port = ws.getPort() > 0 ? ws.getPort() : (ws.getScheme().equals("wss") ? 443 : 80);
        return ProcessCpu.pidListeningOn(port);
    }

    /** One run: connect, edit, settle, check, summarise. */
    static final class LoadRun {
        private final Plan plan;
        private final EditingTrace editingTrace;
        /** Each node's server process, when known. */
        private final List<OptionalLong> serverPids;
        private final PrintWriter log;
        private final Map<String, LoadClient> byId = new ConcurrentHashMap<>();
        private final List<LoadClient> all = new ArrayList<>();
        private final List<LoadClient> writers = new ArrayList<>();
        private final Map<String, List<LoadClient>> byDoc = new LinkedHashMap<>();
        private final Map<String, TracePlan> tracePlans = new LinkedHashMap<>();

        LoadRun(Plan plan, EditingTrace editingTrace, List<OptionalLong> serverPids, PrintWriter log) {
            this.plan = plan;
            this.editingTrace = editingTrace;
            this.serverPids = serverPids;
            this.log = log;
        }

        Map<String, Object> run() throws Exception {
            ExecutorService callbacks = Executors.newFixedThreadPool(2, daemon("load-io-"));
            ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, daemon("load-timer-"));
            HttpClient http = HttpClient.newBuilder().executor(callbacks).connectTimeout(plan.connectTimeout()).build();
            long start = System.nanoTime();
            long runNanos = plan.durationNanos() > 0 ? plan.durationNanos() : TimeUnit.HOURS.toNanos(1);
            LoadStats stats = new LoadStats(start, plan.windowNanos(), runNanos + TimeUnit.SECONDS.toNanos(30));
            Map<String, Object> summary = new LinkedHashMap<>();
            try {
                build(stats, timer);
                // CPU from here, connecting included: on two cores the handshakes of a ramp count too.
                long[] serverCpuStart = serverCpu();
                long selfCpuStart = ProcessCpu.selfNanos();
                timer.scheduleAtFixedRate(() -> {
                    LoadStats.Window now = stats.window(System.nanoTime());
                    now.writers = stats.editing.get();
                    now.connections = stats.connected.get();
                }, 0, 200, TimeUnit.MILLISECONDS);
                String failure = connectAndEdit(http, stats, timer, start);
                long goNanos = goAt;
                String waitFailure = failure != null ? failure : waitForEnd(stats, goNanos);
                long endNanos = System.nanoTime();
                long measuredFrom = goNanos + (plan.rampNanos() > 0 ? plan.rampNanos() : 0);
                long ackedAtMeasureStart = ackedAt(stats, measuredFrom);
                for (LoadClient c : writers) {
                    c.stop();
                }
                long[] serverCpuEnd = serverCpu();
                long selfCpuEnd = ProcessCpu.selfNanos();
                boolean settled = waitUntil(() -> all.stream().allMatch(LoadClient::settled), SETTLE_TIMEOUT);
                Map<String, Object> convergence = failure != null ? Map.of("checked", false) : converge(http);

                summary.put("ok", failure == null && waitFailure == null && settled && Boolean.TRUE.equals(convergence.get("converged")));
                if (failure != null || waitFailure != null) {
                    summary.put("failure", failure != null ? failure : waitFailure);
                }
                summary.put("config", config());
                double elapsed = (endNanos - goNanos) / 1e9;
                double measured = Math.max(1e-9, (endNanos - Math.min(measuredFrom, endNanos)) / 1e9);
                summary.put("seconds", Map.of("run", LatencyHistogram.round(elapsed),
                        "measured", LatencyHistogram.round(measured)));
                Map<String, Object> ops = new LinkedHashMap<>();
                ops.put("keystrokes", stats.keystrokes.sum());
                ops.put("sent", stats.sent.sum());
                ops.put("acked", stats.acked.sum());
                ops.put("resent", stats.resent.sum());
                ops.put("divergences", stats.divergences.sum());
                ops.put("delivered", stats.delivered.sum());
                summary.put("ops", ops);
                summary.put("throughput", throughput(stats.acked.sum(), stats.acked.sum() - ackedAtMeasureStart,
                        elapsed, measured));
                summary.put("ackLatencyMs", stats.ack.summaryMillis());
                summary.put("remoteDeliveryMs", stats.delivery.summaryMillis());
                if (plan.nodes().size() > 1) {
                    // The same deliveries, told apart by whether sender and receiver were on one node.
                    summary.put("sameNodeDeliveryMs", stats.sameNodeDelivery.summaryMillis());
                    summary.put("crossNodeDeliveryMs", stats.crossNodeDelivery.summaryMillis());
                }
                summary.put("errors", stats.errors());
                if (!stats.firstErrorMessages.isEmpty()) {
                    summary.put("errorExamples", new LinkedHashMap<>(stats.firstErrorMessages));
                }
                Map<String, Object> connections = new LinkedHashMap<>();
                connections.put("planned", plan.connections());
                connections.put("opened", stats.connected.get());
                connections.put("failed", stats.connectFailures.get());
                connections.put("closedByServer", stats.closes());
                summary.put("connections", connections);
                summary.put("convergence", convergence);
                summary.put("cpu", cpu(selfCpuEnd - selfCpuStart, serverCpuStart, serverCpuEnd, (endNanos - start) / 1e9));
                summary.put("timeline", timeline(stats, goNanos, endNanos));
            } finally {
                for (LoadClient c : all) {
                    c.close();
                }
                Thread.sleep(200);
                for (LoadClient c : all) {
                    c.abort();
                }
                timer.shutdownNow();
                callbacks.shutdownNow();
            }
            return summary;
        }

        private volatile long goAt;

        private void build(LoadStats stats, ScheduledExecutorService timer) {
            Random seeds = new Random(plan.seed());
            for (int d = 0; d < plan.docs(); d++) {
                String doc = plan.docPrefix() + "-" + d;
                List<LoadClient> members = new ArrayList<>();
                TracePlan tp = editingTrace == null ? null : new TracePlan(editingTrace, plan.clients());
                if (tp != null) {
                    tracePlans.put(doc, tp);
                }
                for (int k = 0; k < plan.clients(); k++) {
                    EditSource source = tp == null ? new EditSource.RandomEdits(seeds.nextLong())
                            : new EditSource.TraceEdits(tp.parts.get(k), tp.regionStarts[k]);
                    LoadClient c = new LoadClient("w" + d + "-" + k + "-" + Long.toString(plan.seed() & 0xffffff, 36),
                            doc, plan.nodeOf(d, k), true, plan.batch(), source, plan.closedLoop(), stats, byId, timer);
                    members.add(c);
                    writers.add(c);
                }
                for (int k = 0; k < plan.lurkers(); k++) {
                    members.add(new LoadClient("l" + d + "-" + k + "-" + Long.toString(plan.seed() & 0xffffff, 36),
                            doc, plan.nodeOf(d, plan.clients() + k), false, plan.batch(), null, true, stats, byId, timer));
                }
                byDoc.put(doc, members);
            }
            // Connection order: a writer, then its share of the document's lurkers, one document after another,
            // so that a ramp grows every document's audience evenly.
            int slots = Math.max(plan.clients(), 1);
            for (int slot = 0; slot < slots; slot++) {
                for (List<LoadClient> members : byDoc.values()) {
                    if (plan.clients() > 0) {
                        all.add(members.get(slot));
                    }
                    int from = plan.lurkers() * slot / slots;
                    int to = plan.lurkers() * (slot + 1) / slots;
                    for (int l = from; l < to; l++) {
                        all.add(members.get(plan.clients() + l));
                    }
                }
            }
        }

        /** Connects (seeding trace documents first), starts the writers; null, or why the run cannot go on. */
        private String connectAndEdit(HttpClient http, LoadStats stats, ScheduledExecutorService timer, long start)
                throws InterruptedException {
            List<LoadClient> toConnect = new ArrayList<>(all);
            if (editingTrace != null) {
                // Writer 0 of each document seeds it (the regions' starting texts) before anyone else opens it.
                for (Map.Entry<String, TracePlan> e : tracePlans.entrySet()) {
                    LoadClient first = byDoc.get(e.getKey()).get(0);
                    String failure = await(first.connect(http, plan.nodes().get(first.node), plan.connectTimeout()),
                            "connect");
                    if (failure != null) {
                        return failure;
                    }
                    toConnect.remove(first);
                    if (!e.getValue().seed.isEmpty()) {
                        failure = await(first.seed(e.getValue().seed), "seed " + e.getKey());
                        if (failure != null) {
                            return failure;
                        }
                    }
                }
            }
            boolean ramping = plan.rampNanos() > 0;
            goAt = System.nanoTime();
            stats.startNanos = goAt;
            Semaphore handshakes = new Semaphore(CONCURRENT_CONNECTS);
            AtomicInteger failures = new AtomicInteger();
            List<String> reasons = new ArrayList<>();
            List<CompletableFuture<LoadClient>> opened = new ArrayList<>();
            int n = toConnect.size();
            for (int i = 0; i < n; i++) {
                if (ramping) {
                    long due = goAt + plan.rampNanos() * i / n;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                LoadClient c = toConnect.get(i);
                handshakes.acquire();
                CompletableFuture<LoadClient> f = c.connect(http, plan.nodes().get(c.node), plan.connectTimeout());
                f.whenComplete((client, e) -> {
                    handshakes.release();
                    if (e != null) {
                        failures.incrementAndGet();
                        synchronized (reasons) {
                            if (reasons.size() < 3) {
                                reasons.add(describe(e));
                            }
                        }
                    } else if (ramping) {
                        begin(client, timer);
                    }
                });
                opened.add(f);
                if (i == 0 || failures.get() > 0) {
                    // The first connection tells whether the server takes us at all: fail fast if not.
                    try {
                        f.get(plan.connectTimeout().toMillis() * 4, TimeUnit.MILLISECONDS);
                    } catch (ExecutionException | TimeoutException e) {
                        return "client " + c.id + " could not connect and open " + c.doc + ": " + describe(e);
                    }
                }
            }
            try {
                CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).get(
                        plan.connectTimeout().toMillis() * 4, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                synchronized (reasons) {
                    return failures.get() + " of " + n + " clients could not connect and open their document: " + reasons
                            + hint(reasons);
                }
            }
            log.printf(Locale.ROOT, "load: %d connections open after %.1f s%n", stats.connected.get(),
                    (System.nanoTime() - start) / 1e9);
            log.flush();
            if (!ramping) {
                goAt = System.nanoTime();
                stats.startNanos = goAt;
                for (LoadClient c : all) {
                    begin(c, timer);
                }
            }
            return null;
        }

        private static String hint(List<String> reasons) {
            for (String r : reasons) {
                if (r.contains("1013")) {
                    return " (the server limits connections per address: start it with a larger --max-sessions-per-address)";
                }
            }
            return "";
        }

        private void begin(LoadClient c, ScheduledExecutorService timer) {
            if (!c.writer) {
                return;
            }
            c.start();
            if (!plan.closedLoop()) {
                long period = (long) (1e9 / plan.rate());
                long phase = (long) (Math.random() * period);
                timer.scheduleAtFixedRate(c::tick, phase, period, TimeUnit.NANOSECONDS);
            }
        }

        private String waitForEnd(LoadStats stats, long go) throws InterruptedException {
            long end = plan.durationNanos() > 0 ? go + plan.durationNanos() : Long.MAX_VALUE;
            long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < end) {
                if (editingTrace != null && writers.stream().allMatch(LoadClient::finishedTyping)) {
                    return null;
                }
                if (System.nanoTime() > nextReport) {
                    log.printf(Locale.ROOT, "load: %.0f s, %d acked, %d writers editing%n", (System.nanoTime() - go) / 1e9,
                            stats.acked.sum(), stats.editing.get());
                    log.flush();
                    nextReport += TimeUnit.SECONDS.toNanos(10);
                }
                Thread.sleep(Math.max(1, Math.min(50, (end - System.nanoTime()) / 1_000_000)));
            }
            return editingTrace != null ? "the trace was not typed within --duration" : null;
        }

        private static long ackedAt(LoadStats stats, long at) {
            long sum = 0;
            for (int i = 0; i < stats.windows.length; i++) {
                long windowEnd = stats.startNanos + (i + 1) * stats.windowNanos;
                if (windowEnd <= at) {
                    sum += stats.windows[i].acked.sum();
                }
            }
            return sum;
        }

        /** Every client against the server's text and version, once the last ops have arrived. */
        private Map<String, Object> converge(HttpClient http) throws InterruptedException {
            Map<String, Object> result = new LinkedHashMap<>();
            List<String> mismatches = new ArrayList<>();
            int clientsChecked = 0;
            int broken = 0;
            for (Map.Entry<String, List<LoadClient>> e : byDoc.entrySet()) {
                String doc = e.getKey();
                JsonObject served;
                try {
                    served = servedByEveryNode(http, doc, mismatches);
                } catch (IOException | RuntimeException ex) {
                    mismatches.add(doc + ": cannot read it from the server: " + ex);
                    continue;
                }
                if (served == null) {
                    continue;
                }
                long version = served.get("version").getAsLong();
                String text = served.get("text").getAsString();
                TracePlan tp = tracePlans.get(doc);
                if (tp != null && !tp.expected.equals(text)) {
                    mismatches.add(doc + ": the server's text is not the trace's (" + text.length() + " UTF-16 units, expected "
                            + tp.expected.length() + ")");
                }
                List<LoadClient> members = e.getValue();
                waitUntil(() -> members.stream().allMatch(c -> c.broken() || c.version() >= version), Duration.ofSeconds(15));
                for (LoadClient c : members) {
                    if (c.broken()) {
                        broken++;
                        continue;
                    }
                    clientsChecked++;
                    if (c.version() != version) {
                        mismatches.add(c.id + ": at version " + c.version() + ", the server at " + version);
                    } else if (c.writer && !text.equals(c.text())) {
                        mismatches.add(c.id + ": text differs from the server's at version " + version);
                    }
                }
            }
            result.put("converged", mismatches.isEmpty() && broken == 0);
            result.put("documents", byDoc.size());
            result.put("nodesChecked", plan.nodes().size());
            result.put("clientsChecked", clientsChecked);
            result.put("clientsBroken", broken);
            result.put("how", "every node serves the same version and text (GET /api/docs/{id}); writers: text and version"
                    + " equal it; lurkers: version"
                    + (tracePlans.isEmpty() ? "" : "; server text equals the trace's expected text"));
            result.put("mismatches", mismatches.size() > 20 ? mismatches.subList(0, 20) : mismatches);
            return result;
        }

        /**
         * A document as every node serves it, once they agree (a node learns of another's commits
         * shortly after, so each gets up to 15 s); null, with the disagreement noted, if they do not.
         */
        private JsonObject servedByEveryNode(HttpClient http, String doc, List<String> mismatches)
                throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (true) {
                List<JsonObject> answers = new ArrayList<>();
                for (int n = 0; n < plan.nodes().size(); n++) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(plan.http(n).resolve("/api/docs/" + doc))
                            .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        mismatches.add(doc + ": GET on " + plan.http(n) + " answered " + r.statusCode());
                        return null;
                    }
                    answers.add(JsonParser.parseString(r.body()).getAsJsonObject());
                }
                JsonObject first = answers.get(0);
                boolean agree = answers.stream().allMatch(a -> a.get("version").equals(first.get("version"))
                        && a.get("text").equals(first.get("text")));
                if (agree) {
                    return first;
                }
                if (System.nanoTime() > deadline) {
                    mismatches.add(doc + ": the nodes serve different versions or texts: "
                            + answers.stream().map(a -> a.get("version").getAsString()).toList());
                    return null;
                }
                Thread.sleep(50);
            }
        }

        private Map<String, Object> config() {
            Map<String, Object> c = new LinkedHashMap<>();
            if (plan.nodes().size() == 1) {
                c.put("url", plan.ws().toString());
            } else {
                c.put("urls", plan.nodes().stream().map(URI::toString).toList());
                c.put("spread", plan.spreadDocuments() ? "documents" : "writers");
            }
            c.put("docs", plan.docs());
            c.put("clients", plan.clients());
            c.put("lurkers", plan.lurkers());
            c.put("rate", plan.closedLoop() ? "closed" : plan.rate());
            c.put("durationSeconds", plan.durationNanos() / 1e9);
            c.put("rampSeconds", plan.rampNanos() / 1e9);
            c.put("seed", plan.seed());
            c.put("docPrefix", plan.docPrefix());
            c.put("batch", plan.batch());
            if (editingTrace != null) {
                c.put("trace", Map.of("keystrokes", editingTrace.patches(), "writersPerDocument", plan.clients()));
            }
            return c;
        }

        /** Each node's server CPU time so far, -1 where unknown. */
        private long[] serverCpu() {
            long[] nanos = new long[serverPids.size()];
            for (int n = 0; n < nanos.length; n++) {
                OptionalLong pid = serverPids.get(n);
                nanos[n] = pid.isPresent() ? ProcessCpu.nanosOf(pid.getAsLong()).orElse(-1) : -1;
            }
            return nanos;
        }

        /**
         * The generator's CPU and the servers': with one node its process as before; with several,
         * each process and their sum (one process given for several URLs counts once).
         */
        private Map<String, Object> cpu(long selfNanos, long[] serverStart, long[] serverEnd, double seconds) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cores", Runtime.getRuntime().availableProcessors());
            m.put("generatorSeconds", LatencyHistogram.round(selfNanos / 1e9));
            m.put("generatorCores", LatencyHistogram.round(selfNanos / 1e9 / seconds));
            List<Map<String, Object>> servers = new ArrayList<>();
            java.util.Set<Long> counted = new java.util.HashSet<>();
            long total = 0;
            boolean known = true;
            for (int n = 0; n < serverPids.size(); n++) {
                Map<String, Object> server = new LinkedHashMap<>();
                server.put("url", plan.nodes().get(n).toString());
                if (serverStart[n] >= 0 && serverEnd[n] >= 0) {
                    long pid = serverPids.get(n).getAsLong();
                    long used = serverEnd[n] - serverStart[n];
                    server.put("pid", pid);
                    server.put("seconds", LatencyHistogram.round(used / 1e9));
                    server.put("cores", LatencyHistogram.round(used / 1e9 / seconds));
                    if (counted.add(pid)) {
                        total += used;
                    }
                } else {
                    known = false;
                    server.put("seconds", "unknown (pass --server-pid)");
                }
                servers.add(server);
            }
            if (known) {
                if (serverPids.size() == 1) {
                    m.put("serverPid", serverPids.get(0).getAsLong());
                }
                m.put("serverSeconds", LatencyHistogram.round(total / 1e9));
                m.put("serverCores", LatencyHistogram.round(total / 1e9 / seconds));
            } else {
                m.put("serverSeconds", "unknown (pass --server-pid)");
            }
            if (serverPids.size() > 1) {
                m.put("servers", servers);
            }
            return m;
        }

        private List<Map<String, Object>> timeline(LoadStats stats, long go, long end) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (int i = 0; i < stats.windows.length; i++) {
                long from = stats.startNanos + i * stats.windowNanos;
                if (from >= end) {
                    break;
                }
                LoadStats.Window w = stats.windows[i];
                if (from + stats.windowNanos <= go && w.acked.sum() == 0) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("t", LatencyHistogram.round((from - go) / 1e9));
                m.put("writers", w.writers);
                m.put("connections", w.connections);
                m.put("ackedPerSecond", LatencyHistogram.round(w.acked.sum() / (stats.windowNanos / 1e9)));
                m.put("ackP95Ms", LatencyHistogram.round(w.ack.percentileMicros(95) / 1e3));
                m.put("deliveryP50Ms", LatencyHistogram.round(w.delivery.percentileMicros(50) / 1e3));
                m.put("deliveryP95Ms", LatencyHistogram.round(w.delivery.percentileMicros(95) / 1e3));
                m.put("deliveryP99Ms", LatencyHistogram.round(w.delivery.percentileMicros(99) / 1e3));
                out.add(m);
            }
            return out;
        }
    }

    /** Acked ops per second over the whole run, and over the measured part (after the ramp). */
    static Map<String, Object> throughput(long acked, long ackedMeasured, double seconds, double measuredSeconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ackedPerSecond", LatencyHistogram.round(seconds <= 0 ? 0 : acked / seconds));
        m.put("ackedPerSecondAfterRamp", LatencyHistogram.round(measuredSeconds <= 0 ? 0 : ackedMeasured / measuredSeconds));
        return m;
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TimeoutException) {
            return "no answer in time";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    static String await(CompletableFuture<?> f, String what) throws InterruptedException {
        try {
            f.get(60, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return what + " failed: " + describe(e);
        }
    }

    static boolean waitUntil(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
