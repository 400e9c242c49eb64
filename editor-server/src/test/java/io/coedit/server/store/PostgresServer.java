package io.coedit.server.store;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL server for tests: a cluster made by {@code initdb} in a temporary
 * folder, listening on 127.0.0.1 on a free port, stopped and deleted when the JVM exits. One
 * per JVM, started on first use; each test takes a database of its own from it.
 *
 * <pre>
 *   PostgresServer pg = PostgresServer.shared();   // skips the test if PostgreSQL is not installed
 *   String db = pg.newDatabase();
 *   DocumentStore store = new PostgresDocumentStore(pg.jdbcUrl(db), pg.user(), pg.password());
 * </pre>
 *
 * <p>The binaries are Debian's, under {@code /usr/lib/postgresql/<version>/bin} (the newest
 * version there). {@code initdb} refuses to run as root, so as root the server runs as the
 * {@code postgres} user. Connections over TCP need the password ({@code scram-sha-256}), so
 * that a test can also show what wrong credentials do. Where PostgreSQL is not installed,
 * {@link #shared()} skips the calling test, loudly, or fails it when the environment variable
 * {@code CI} is set.
 *
 * <p>{@link #stop()} and {@link #start()} take the server away and bring it back on the same
 * port with the same data, for tests of a database lost while running.
 */
public final class PostgresServer {
    private static final Path DEBIAN_VERSIONS = Path.of("/usr/lib/postgresql");
    private static final String USER = "coedit";
    private static PostgresServer shared;

    private final Path bin;
    private final Path folder;
    private final Path data;
    private final int port;
    private final String password;
    private final AtomicInteger databases = new AtomicInteger();
    private boolean running;

    private PostgresServer(Path bin, Path folder, int port, String password) {
        this.bin = bin;
        this.folder = folder;
        this.data = folder.resolve("data");
        this.port = port;
        this.password = password;
    }

    /**
     * The server of this JVM, started on first use. Skips the calling test if PostgreSQL is
     * not installed (fails it if {@code CI} is set).
     *
     * @throws IllegalStateException if PostgreSQL is installed but the server does not start
     */
    public static synchronized PostgresServer shared() {
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            skipOrFail();
        }
        if (shared == null) {
            shared = create(bin.orElseThrow());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::destroy, "postgres-test-server-stop"));
        }
        return shared;
    }

    /** Whether PostgreSQL's binaries are installed where this fixture looks. */
    public static boolean installed() {
        return binaries().isPresent();
    }

    /** A new, empty database on the server; returns its name. */
    public String newDatabase() {
        String name = "coedit_test_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return name;
    }

    /** The JDBC URL of {@code database} on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The role to connect as: a superuser of the cluster. */
    public String user() {
        return USER;
    }

    /** The role's password. */
    public String password() {
        return password;
    }

    /** The TCP port on 127.0.0.1; the same across {@link #stop()} and {@link #start()}. */
    public int port() {
        return port;
    }

    /** Stops the server (fast shutdown: open connections are cut); returns when it is down. */
    public synchronized void stop() {
        if (running) {
            run(pgCtl("stop", "-D", data.toString(), "-m", "fast", "-w"));
            running = false;
        }
    }

    /** Starts the server again, on the same port with the same data; returns when it accepts connections. */
    public synchronized void start() {
        if (!running) {
            run(pgCtl("start", "-D", data.toString(), "-l", folder.resolve("server.log").toString(), "-w",
                    "-o", "-p " + port + " -k " + folder + " -c listen_addresses=127.0.0.1"));
            running = true;
        }
    }

    // ---- setting up ---------------------------------------------------------------------

    private static Optional<Path> binaries() {
        if (!Files.isDirectory(DEBIAN_VERSIONS)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DEBIAN_VERSIONS)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name.replaceAll("\\..*", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void skipOrFail() {
        String message = "POSTGRESQL TESTS NOT RUN: no initdb and pg_ctl under " + DEBIAN_VERSIONS
                + "/<version>/bin. Install Debian's postgresql (apt-get install postgresql) to run them.";
        if (System.getenv("CI") != null) {
            fail(message + " CI is set, so this is a failure, not a skip.");
        }
        System.err.println();
        System.err.println("*".repeat(100));
        System.err.println("*** " + message);
        System.err.println("*".repeat(100));
        System.err.println();
        Assumptions.abort(message);
    }

    private static PostgresServer create(Path bin) {
        try {
            Path folder = Files.createTempDirectory("coedit-postgres-");
            byte[] secret = new byte[16];
            new SecureRandom().nextBytes(secret);
            String password = HexFormat.of().formatHex(secret);
            Path passwordFile = folder.resolve("password");
            Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
            if (asRoot()) {
                UserPrincipal postgres = folder.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName("postgres");
                Files.setOwner(folder, postgres);
                Files.setOwner(passwordFile, postgres);
            }
            PostgresServer server = new PostgresServer(bin, folder, freePort(), password);
            server.run(server.command(bin.resolve("initdb").toString(), "-D", server.data.toString(), "-U", USER,
                    "--pwfile=" + passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                    "-E", "UTF8", "--locale=C", "--no-sync"));
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up a PostgreSQL cluster: " + e.getMessage(), e);
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private List<String> pgCtl(String... args) {
        List<String> command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString()));
        command.addAll(List.of(args));
        return command(command.toArray(String[]::new));
    }

    /** {@code args}, run as the {@code postgres} user when this JVM runs as root. */
    private List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        if (asRoot()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(args));
        return command;
    }

    private void run(List<String> command) {
        try {
            Path output = Files.createTempFile("coedit-postgres-command-", ".log");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("timed out: " + String.join(" ", command));
                }
                if (process.exitValue() != 0) {
                    String log = Files.exists(folder.resolve("server.log"))
                            ? Files.readString(folder.resolve("server.log")) : "";
                    throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue()
                            + ":\n" + Files.readString(output) + log);
                }
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    /** At JVM exit: stop at once (nothing here needs to survive) and delete the cluster. */
    private synchronized void destroy() {
        try {
            if (running) {
                run(pgCtl("stop", "-D", data.toString(), "-m", "immediate", "-w"));
                running = false;
            }
        } catch (RuntimeException e) {
            System.err.println("could not stop the test PostgreSQL server: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + folder + ": " + e.getMessage());
        }
    }
}
