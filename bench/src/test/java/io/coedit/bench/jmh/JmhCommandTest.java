package io.coedit.bench.jmh;

import io.coedit.bench.BenchMain;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmhCommandTest {

    @Test
    void jmhGetsEveryArgumentUnchangedAndInOrder() {
        // JMH's own options, unknown to picocli, including clusters and "-h" and an "@" argument.
        List<String> args = List.of("Transform", "-f", "1", "-wi", "3", "-i", "5", "-w", "1s", "-r", "1s",
                "-p", "trace=path/to/automerge-paper.json.gz", "-h", "@regexp", "-rf", "json", "-prof", "gc");
        List<String> line = new ArrayList<>(List.of(JmhCommand.NAME));
        line.addAll(args);
        ParseResult parsed = BenchMain.commandLine().parseArgs(line.toArray(String[]::new));
        JmhCommand jmh = parsed.subcommand().commandSpec().commandLine().getCommand();
        assertEquals(args, jmh.arguments());
    }

    @Test
    void listsTheBenchmarksOfTheGeneratedBenchmarkList() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, BenchMain.commandLine().execute(JmhCommand.NAME, "-l"));
        } finally {
            System.setOut(original);
        }
        String list = captured.toString(StandardCharsets.UTF_8);
        assertTrue(list.contains("io.coedit.bench.jmh.TransformBenchmark.transform"), list);
        assertTrue(list.contains("io.coedit.bench.jmh.TransformBenchmark.transformBothWays"), list);
        assertTrue(list.contains("io.coedit.bench.jmh.ComposeBenchmark.compose"), list);
        assertTrue(list.contains("io.coedit.bench.jmh.TraceReplayBenchmark.replay"), list);
    }
}
