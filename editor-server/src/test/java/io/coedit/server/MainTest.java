package io.coedit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
    @Test
    void helpListsEveryOptionWithItsEnvironmentVariable() {
        CommandLine cli = Main.commandLine();
        String help = cli.getUsageMessage(CommandLine.Help.Ansi.OFF);
        List<String> expected = List.of("--host", "--port", "--data", "--jwt-secret", "--allowed-origin",
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
}
