package io.coedit.bench.trace;

import io.coedit.bench.BenchMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = BenchMain.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void aCorrectTraceIsVerifiedAndTimed() throws IOException {
        Path file = TraceFixture.write(dir.resolve("ok.json.gz"), TraceFixture.random(11, 500).json(), true);
        assertEquals(0, run("trace", file.toString(), "--iterations", "6"), err::toString);
        String report = out.toString();
        assertTrue(report.contains("500 patches"), report);
        assertTrue(report.contains("gives exactly endContent"), report);
        assertTrue(report.contains("6 runs, the first 2 discarded as warm-up; over the other 4:"), report);
        assertTrue(report.contains("median") && report.contains("min") && report.contains("patches per second"), report);
        assertEquals("", err.toString());
    }

    @Test
    void uncompressedJsonWorksToo() throws IOException {
        Path file = TraceFixture.write(dir.resolve("ok.json"), TraceFixture.random(12, 100).json(), false);
        assertEquals(0, run("trace", file.toString(), "--iterations", "1"), err::toString);
        assertTrue(out.toString().contains("1 run(s), too few to set any aside as warm-up"), out::toString);
    }

    @Test
    void aWrongEndContentFailsWithTheFirstDifference() throws IOException {
        TraceFixture fixture = TraceFixture.random(13, 300);
        String expected = fixture.endContent;
        fixture.endContent = expected.substring(0, 5) + "#" + expected.substring(6);
        Path file = TraceFixture.write(dir.resolve("wrong.json.gz"), fixture.json(), true);

        assertEquals(1, run("trace", file.toString(), "--iterations", "3"));
        String message = err.toString();
        assertTrue(message.contains("MISMATCH"), message);
        assertTrue(message.contains("first difference at code point 5"), message);
        assertTrue(out.toString().contains("300 patches") && !out.toString().contains("median"), out::toString);
    }

    @Test
    void aTraceThatDoesNotApplyFails() throws IOException {
        Path file = TraceFixture.write(dir.resolve("bad.json"),
                "{\"startContent\":\"\",\"endContent\":\"\",\"txns\":[{\"patches\":[[3,0,\"x\"]]}]}", false);
        assertEquals(1, run("trace", file.toString()));
        assertTrue(err.toString().contains("trace does not replay: patch 0 [3, 0, \"x\"] does not apply"), err::toString);
    }

    @Test
    void aMissingFileFails() {
        assertEquals(1, run("trace", dir.resolve("absent.json.gz").toString()));
        assertTrue(err.toString().contains("no such file"), err::toString);
    }

    @Test
    void aMalformedFileFails() throws IOException {
        Path file = TraceFixture.write(dir.resolve("junk.json"), "{\"startContent\":", false);
        assertEquals(1, run("trace", file.toString()));
        assertTrue(err.toString().startsWith("cannot read trace "), err::toString);
    }

    @Test
    void badIterationsAreAUsageError() throws IOException {
        Path file = TraceFixture.write(dir.resolve("ok.json"), TraceFixture.random(14, 10).json(), false);
        assertEquals(2, run("trace", file.toString(), "--iterations", "0"));
        assertTrue(err.toString().contains("--iterations must be at least 1"), err::toString);
        assertEquals(2, run("trace", file.toString(), "--iterations", "many"));
    }

    @Test
    void describesAMismatchInCodePoints() {
        assertEquals("lengths 3 (replayed) and 3 (expected) code points; first difference at code point 1:"
                        + " replayed \"😀b\", expected \"😁b\"",
                TraceCommand.describeMismatch("a😀b", "a😁b"));
        assertEquals("lengths 2 (replayed) and 1 (expected) code points; first difference at code point 1:"
                        + " replayed \"\\n\", expected \"\"",
                TraceCommand.describeMismatch("a\n", "a"));
    }
}
