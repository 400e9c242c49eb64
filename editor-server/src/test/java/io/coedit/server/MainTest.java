package io.coedit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.server.store.PostgresDocumentStore;
import io.coedit.server.store.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
    @Test
    void helpListsEveryOptionWithItsEnvironmentVariable() {
        CommandLine cli = Main.commandLine();
        String help = cli.getUsageMessage(CommandLine.Help.Ansi.OFF);
        List<String> expected = List.of("--host", "--port", "--data", "--db-url", "--db-user", "--db-password", "--jwt-secret", "--allowed-origin",
                "--max-message-bytes", "--max-document-code-points", "--max-ops-per-second",
                "--max-sessions-per-address", "--max-queued-bytes", "--idle-timeout", "--batch-window", "--close-grace", "--max-transform-cost");
        for (CommandLine.Model.OptionSpec option : cli.getCommandSpec().options()) {
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            assertTrue(expected.contains(option.longestName()), "documented in this test: " + option.longestName());
            String env = "COEDIT_" + option.longestName().substring(2).toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            if (option.longestName().equals("--allowed-origin")) {
                env = "COEDIT_ALLOWED_ORIGINS";
            }
            assertTrue(String.join(" ", option.description()).contains(env), option.longestName() + " names " + env);
            assertTrue(help.contains(option.longestName()), option.longestName());
        }
        assertEquals(expected.size(), cli.getCommandSpec().options().size() - 2);
    }

    @Test
    void optionsReachTheServer(@TempDir Path data) throws Exception {
        Main main = new Main();
        new CommandLine(main).parseArgs("--port", "0", "--data", data.toString(), "--allowed-origin",
                "https://a.example,https://b.example", "--max-ops-per-second", "7", "--idle-timeout", "9",
                "--batch-window", "40");
        assertEquals(List.of("https://a.example", "https://b.example"), main.allowedOrigins);
        assertEquals(40, main.batchWindowMillis);
        try (EditorServer server = main.builder().build().start()) {
            assertEquals("127.0.0.1", server.boundAddress().getHostString());
            assertEquals(data.toAbsolutePath(), server.dataDir());
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
        }
    }

    @Test
    void aWeakSecretIsRefusedBeforeAnythingStarts() {
        Main main = new Main();
        new CommandLine(main).parseArgs("--port", "0", "--jwt-secret", "short");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> main.builder().build());
        assertTrue(e.getMessage().contains("at least 32"));
    }

    // ---- --db-url: which store, and what an operator sees when the database is not right ----

    /** Runs the command line as {@code main} does, returning its exit code and what it logged. */
    private record Run(int exitCode, String log) {}

    private static Run run(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().execute(args);
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }

    /** The one line that says why the server did not start; fails unless there is exactly one. */
    private static String cannotStartLine(Run run) {
        List<String> lines = run.log.lines().filter(line -> line.contains("cannot start")).toList();
        assertEquals(1, lines.size(), "one line says why: " + run.log);
        return lines.get(0);
    }

    @Test
    void anotherSchemeInDbUrlIsOneLineAndExitCodeTwo(@TempDir Path data) {
        Run run = run("--port", "0", "--data", data.toString(), "--db-url", "jdbc:mysql://127.0.0.1/coedit?password=s3cret");
        assertEquals(2, run.exitCode);
        String line = cannotStartLine(run);
        assertTrue(line.contains("jdbc:mysql://127.0.0.1/coedit"), line);
        assertFalse(line.contains("s3cret"), line);
        assertFalse(run.log.contains("s3cret"), run.log);
    }

    @Test
    void aDatabaseThatIsDownAtStartIsOneLineNamingTheUrlWithoutThePassword(@TempDir Path data) throws Exception {
        int nobody;
        try (ServerSocket socket = new ServerSocket(0)) {
            nobody = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + nobody + "/coedit?password=s3cret";
        Run run = run("--port", "0", "--data", data.toString(), "--db-url", url, "--db-user", "coedit");
        assertEquals(2, run.exitCode);
        String line = cannotStartLine(run);
        assertTrue(line.contains("127.0.0.1:" + nobody + "/coedit"), line);
        assertFalse(run.log.contains("s3cret"), run.log);
    }

    @Test
    void wrongDatabaseCredentialsAreOneLineAndExitCodeTwo(@TempDir Path data) {
        PostgresServer pg = PostgresServer.shared();
        String url = pg.jdbcUrl(pg.newDatabase());
        Run run = run("--port", "0", "--data", data.toString(), "--db-url", url, "--db-user", pg.user(),
                "--db-password", "not-the-password");
        assertEquals(2, run.exitCode);
        String line = cannotStartLine(run);
        assertTrue(line.contains(url) && line.contains("password authentication failed"), line);
        assertFalse(run.log.contains("not-the-password"), run.log);
    }

    @Test
    void aDatabaseOfANewerSchemaIsOneLineAndExitCodeTwo(@TempDir Path data) throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String url = pg.jdbcUrl(pg.newDatabase());
        new PostgresDocumentStore(url, pg.user(), pg.password()).close();
        try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) VALUES (99, '99', 'from the future', 'SQL',"
                    + " 'V99__from_the_future.sql', 0, 'test', 1, true)");
        }
        Run run = run("--port", "0", "--data", data.toString(), "--db-url", url, "--db-user", pg.user(),
                "--db-password", pg.password());
        assertEquals(2, run.exitCode);
        String line = cannotStartLine(run);
        assertTrue(line.contains("schema version 99"), line);
    }

    @Test
    void aPostgresUrlSelectsThePostgresStore(@TempDir Path data) throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String url = pg.jdbcUrl(pg.newDatabase());
        Main main = new Main();
        new CommandLine(main).parseArgs("--port", "0", "--data", data.toString(), "--db-url", url, "--db-user", pg.user(),
                "--db-password", pg.password());
        try (EditorServer server = main.builder().build().start()) {
            assertEquals(url, server.storeDescription());
            try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password()); Statement s = c.createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM documents")) {
                assertTrue(rs.next(), "the server made its schema in the database");
            }
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
        }
        // Nothing went to the H2 file.
        assertFalse(Files.exists(data.resolve("coedit.mv.db")));
    }
}
