package io.coedit.bench.jmh;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jmh [JMH args]}: hands the command line to JMH's own launcher, so every JMH option
 * works as documented (e.g. {@code jmh -l}, {@code jmh Transform -f 1 -wi 3 -i 5}). The
 * benchmark list JMH reads is generated at build time into the jar's
 * {@code META-INF/BenchmarkList}.
 */
@Command(name = JmhCommand.NAME,
        description = {
            "Runs the JMH benchmarks; all arguments go to JMH unchanged.",
            "%njmh -h shows JMH's options, jmh -l lists the benchmarks. The trace replay benchmark needs a"
                    + " trace: jmh TraceReplay -p trace=path/to/automerge-paper.json.gz"
        })
public final class JmhCommand implements Callable<Integer> {
    public static final String NAME = "jmh";

    // No help option of our own: "-h" is JMH's. The parser is told to take unknown options as
    // parameters (see BenchMain), so they all arrive here in their original order.
    @Parameters(paramLabel = "JMH_ARG", description = "An argument for org.openjdk.jmh.Main.")
    private List<String> arguments = new ArrayList<>();

    /** The arguments JMH will get, for tests. */
    List<String> arguments() {
        return arguments;
    }

    @Override
    public Integer call() throws IOException {
        // JMH exits the JVM itself, with status 1, when its options or a benchmark fail.
        org.openjdk.jmh.Main.main(arguments.toArray(String[]::new));
        return 0;
    }
}
