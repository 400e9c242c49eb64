package io.coedit.bench.stdio;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code ot-stdio}: the conformance bridge on standard input and output. Each input line
 * gets exactly one output line, flushed at once, so a driver can write a request and wait
 * for its answer. Bad input is answered, never fatal; the end of the input ends the
 * command with exit code 0.
 */
@Command(name = "ot-stdio",
        description = {
            "Conformance bridge: answers one JSON request per stdin line with one JSON line on stdout.",
            "%nRequests:",
            "  {\"cmd\":\"apply\",\"doc\":\"...\",\"op\":[...]}",
            "  {\"cmd\":\"compose\",\"a\":[...],\"b\":[...]}",
            "  {\"cmd\":\"transform\",\"op\":[...],\"other\":[...],\"side\":\"left\"|\"right\"}",
            "  {\"cmd\":\"invert\",\"op\":[...],\"doc\":\"...\"}",
            "  {\"cmd\":\"transformPosition\",\"pos\":n,\"op\":[...],\"side\":\"left\"|\"right\"}",
            "Answers: {\"result\":...} or {\"error\":\"message\"}. Ops use the ot-text-unicode JSON form;"
                    + " positions are Unicode code points. The end of stdin ends the command."
        })
public final class OtStdioCommand implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Override
    public Integer call() throws IOException {
        serve(System.in, System.out);
        return 0;
    }

    /** Answers every line of {@code in} on {@code out}, in UTF-8, until the end of {@code in}. */
    public static void serve(InputStream in, OutputStream out) throws IOException {
        OtBridge bridge = new OtBridge();
        Utf8LineReader lines = new Utf8LineReader(new BufferedInputStream(in));
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        while (true) {
            String response;
            try {
                String line = lines.readLine();
                if (line == null) {
                    break;
                }
                response = bridge.handle(line);
            } catch (IllegalArgumentException e) {
                response = OtBridge.error(e.getMessage());
            }
            // "\n", not the platform's separator: the reader on the other side splits on it.
            writer.write(response);
            writer.write('\n');
            writer.flush();
        }
    }
}
