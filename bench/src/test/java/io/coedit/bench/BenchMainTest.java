package io.coedit.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchMainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = BenchMain.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void noArgumentsShowsUsageAsAUsageError() {
        assertEquals(2, run());
        assertTrue(err.toString().startsWith("Usage: coedit-bench"), err::toString);
        assertTrue(err.toString().contains("ot-stdio") && err.toString().contains("trace") && err.toString().contains("jmh"));
    }

    @Test
    void helpShowsUsageAndSucceeds() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().startsWith("Usage: coedit-bench"), out::toString);
        assertEquals(0, run("trace", "--help"));
        assertTrue(out.toString().contains("Usage: coedit-bench trace [-h] [--iterations=N] FILE"), out::toString);
    }

    @Test
    void badUsageExitsWithTwo() {
        assertEquals(2, run("bogus"));
        assertEquals(2, run("--bogus"));
        assertEquals(2, run("trace"));
        assertEquals(2, run("ot-stdio", "extra"));
        assertTrue(err.toString().contains("Missing required parameter: 'FILE'"), err::toString);
    }
}
