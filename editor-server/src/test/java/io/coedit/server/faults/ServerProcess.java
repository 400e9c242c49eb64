package io.coedit.server.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server as a separate process ({@code java -cp <test class path> io.coedit.server.Main}),
 * on a free port and a given data folder, so that it can be killed with SIGKILL.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/");

    private final Process process;
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    final URI ws;
    final URI http;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.ws = URI.create("ws://127.0.0.1:" + port + "/ws");
        this.http = URI.create("http://127.0.0.1:" + port + "/");
    }

    static ServerProcess start(Path data, String... options) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Surefire runs tests from a manifest-only jar; this property has the real class path.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", classPath,
                "io.coedit.server.Main", "--port", "0", "--data", data.toAbsolutePath().toString(),
                "--max-ops-per-second", "100000", "--max-sessions-per-address", "10000"));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        ArrayDeque<String> lines = new ArrayDeque<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.addLast(line);
                        if (lines.size() > 100) {
                            lines.removeFirst();
                        }
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
            port.completeExceptionally(new IllegalStateException("the server exited before listening"));
        }, "server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ServerProcess s = new ServerProcess(p, port.get(60, TimeUnit.SECONDS));
            synchronized (lines) {
                s.lastLines.addAll(lines);
            }
            return s;
        } catch (Exception e) {
            p.destroyForcibly();
            synchronized (lines) {
                throw new IllegalStateException("the server did not start: " + e + "; its output:\n" + String.join("\n", lines), e);
            }
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no clean close of the database. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the graceful shutdown. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
