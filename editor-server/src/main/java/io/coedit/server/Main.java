package io.coedit.server;

import io.coedit.server.session.DocumentService;
import io.coedit.server.ws.ConnectionLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar editor-server.jar}: every setting is an option with an environment variable twin. */
@Command(name = "editor-server", mixinStandardHelpOptions = true, version = "coedit editor-server 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = "The coedit collaboration server: WebSocket protocol v1 at /ws, the web client at /, "
                + "the HTTP API at /api, /healthz and /metrics, all on one port. Each option can also be set by "
                + "the environment variable named with it.",
        footer = {"", "Give the JWT secret by COEDIT_JWT_SECRET, and the database password by COEDIT_DB_PASSWORD, "
                + "rather than on the command line, where other users of the machine can read them in the process list."})
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Option(names = "--host", defaultValue = "${env:COEDIT_HOST:-127.0.0.1}", paramLabel = "ADDRESS",
            description = "Address to listen on; 0.0.0.0 for every interface (env COEDIT_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "${env:COEDIT_PORT:-8080}", paramLabel = "PORT",
            description = "Port to listen on; 0 for any free port (env COEDIT_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data", defaultValue = "${env:COEDIT_DATA:-./data}", paramLabel = "DIR",
            description = "Folder of the database, created if missing (env COEDIT_DATA; default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--db-url", defaultValue = "${env:COEDIT_DB_URL}", paramLabel = "URL",
            description = "PostgreSQL database to keep documents in, jdbc:postgresql://host:port/database; several "
                    + "servers may share one. Without it, an H2 file in --data (env COEDIT_DB_URL).")
    String dbUrl;

    @Option(names = "--db-user", defaultValue = "${env:COEDIT_DB_USER}", paramLabel = "USER",
            description = "Role to connect to --db-url as (env COEDIT_DB_USER).")
    String dbUser;

    @Option(names = "--db-password", defaultValue = "${env:COEDIT_DB_PASSWORD}", paramLabel = "PASSWORD",
            description = "Password of --db-user; better given by its environment variable (env COEDIT_DB_PASSWORD).")
    String dbPassword;

    @Option(names = "--jwt-secret", defaultValue = "${env:COEDIT_JWT_SECRET}", paramLabel = "SECRET",
            description = "HS256 secret (at least 32 bytes). With it, clients need a signed token; without it, "
                    + "anyone who can reach the address may edit (env COEDIT_JWT_SECRET).")
    String jwtSecret;

    @Option(names = "--allowed-origin", split = ",", defaultValue = "${env:COEDIT_ALLOWED_ORIGINS}", paramLabel = "ORIGIN",
            description = "Page origin (scheme://host[:port]) allowed to open a WebSocket, besides the server's own; "
                    + "repeatable, or comma-separated; * allows any. Without any, pages on localhost may "
                    + "(env COEDIT_ALLOWED_ORIGINS).")
    List<String> allowedOrigins = new ArrayList<>();

    @Option(names = "--max-message-bytes", defaultValue = "${env:COEDIT_MAX_MESSAGE_BYTES:-1048576}", paramLabel = "N",
            description = "Largest client message (env COEDIT_MAX_MESSAGE_BYTES; default ${DEFAULT-VALUE}).")
    int maxMessageBytes;

    @Option(names = "--max-document-code-points", defaultValue = "${env:COEDIT_MAX_DOCUMENT_CODE_POINTS:-10000000}",
            paramLabel = "N", description = "Largest document, in characters (code points) (env COEDIT_MAX_DOCUMENT_CODE_POINTS; "
                    + "default ${DEFAULT-VALUE}).")
    int maxDocumentCodePoints;

    @Option(names = "--max-ops-per-second", defaultValue = "${env:COEDIT_MAX_OPS_PER_SECOND:-100}", paramLabel = "N",
            description = "Op, presence and chat messages per second per connection (env COEDIT_MAX_OPS_PER_SECOND; "
                    + "default ${DEFAULT-VALUE}).")
    int maxOpsPerSecond;

    @Option(names = "--max-sessions-per-address", defaultValue = "${env:COEDIT_MAX_SESSIONS_PER_ADDRESS:-64}",
            paramLabel = "N", description = "Open WebSocket connections per remote address (env COEDIT_MAX_SESSIONS_PER_ADDRESS; "
                    + "default ${DEFAULT-VALUE}).")
    int maxSessionsPerAddress;

    @Option(names = "--max-queued-bytes", defaultValue = "${env:COEDIT_MAX_QUEUED_BYTES:-16777216}", paramLabel = "N",
            description = "Outgoing data held for one slow client before it is disconnected "
                    + "(env COEDIT_MAX_QUEUED_BYTES; default ${DEFAULT-VALUE}).")
    long maxQueuedBytes;

    @Option(names = "--idle-timeout", defaultValue = "${env:COEDIT_IDLE_TIMEOUT:-60}", paramLabel = "SECONDS",
            description = "Disconnect a client silent this long; it is pinged halfway (env COEDIT_IDLE_TIMEOUT; "
                    + "default ${DEFAULT-VALUE}).")
    int idleTimeoutSeconds;

    @Option(names = "--batch-window", defaultValue = "${env:COEDIT_BATCH_WINDOW:-"
            + DocumentService.Settings.DEFAULT_BATCH_WINDOW_MILLIS + "}", paramLabel = "MILLIS",
            description = "How long a document gathers committed operations before sending them, in one ops message, "
                    + "to the clients that asked for batched delivery; 0 sends after every commit "
                    + "(env COEDIT_BATCH_WINDOW; default ${DEFAULT-VALUE}).")
    long batchWindowMillis;

    @Option(names = "--max-transform-cost", defaultValue = "${env:COEDIT_MAX_TRANSFORM_COST:-"
            + DocumentService.WorkLimits.DEFAULT_MAX_TRANSFORM_COST + "}", paramLabel = "N",
            description = "Most work one op may cost: its components times the versions it is behind, plus the "
                    + "components of the operations it is transformed past; a costlier op is refused with too_costly "
                    + "(env COEDIT_MAX_TRANSFORM_COST; default ${DEFAULT-VALUE}).")
    long maxTransformCost;

    @Option(names = "--close-grace", defaultValue = "${env:COEDIT_CLOSE_GRACE:-2000}", paramLabel = "MILLIS",
            description = "How long the socket of a connection the server closed may stay while the client reads "
                    + "neither what is left nor the close; then it is cut. Until then it counts against "
                    + "--max-sessions-per-address (env COEDIT_CLOSE_GRACE; default ${DEFAULT-VALUE}).")
    long closeGraceMillis;

    public static void main(String[] args) {
        // Tyrus and Grizzly log through java.util.logging: send it to SLF4J like the rest.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    EditorServer.Builder builder() {
        return EditorServer.builder()
                .host(host)
                .port(port)
                .dataDir(data)
                .database(dbUrl, dbUser, dbPassword)
                .jwtSecret(jwtSecret)
                .allowedOrigins(allowedOrigins == null ? List.of() : allowedOrigins.stream()
                        .map(String::trim).filter(s -> !s.isEmpty()).toList())
                .limits(new ConnectionLimits(maxMessageBytes, maxOpsPerSecond, maxSessionsPerAddress, maxQueuedBytes,
                        Duration.ofSeconds(idleTimeoutSeconds), Duration.ofMillis(closeGraceMillis)))
                .documentSettings(DocumentService.Settings.builder().maxDocumentCodePoints(maxDocumentCodePoints)
                        .batchWindowMillis(batchWindowMillis).build())
                .workLimits(DocumentService.WorkLimits.defaults().withMaxTransformCost(maxTransformCost));
    }

    @Override
    public Integer call() {
        EditorServer server;
        try {
            server = builder().build().start();
        } catch (RuntimeException e) {
            // A taken port, a bad setting, a database another process holds: say which, no trace.
            log.error("cannot start: {}", e.getMessage());
            return 2;
        }
        log.info("coedit editor-server listening on {} (WebSocket {})", server.uri(), server.webSocketUri());
        log.info("documents in: {}", server.storeDescription());
        log.info("auth: {}", server.authMode());
        if (host.equals("0.0.0.0") || host.equals("::")) {
            log.warn("listening on every interface: pages need --allowed-origin with the address users type");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down: finishing queued commits");
            server.close();
            log.info("stopped");
            stopped.countDown();
        }, "coedit-shutdown"));
        try {
            stopped.await(); // the shutdown hook ends the process
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
