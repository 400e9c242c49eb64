package io.coedit.bench.jmh;

import io.coedit.bench.trace.EditingTrace;
import io.coedit.bench.trace.TraceReplay;
import io.coedit.ot.Rope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A full replay of a real editing trace onto a {@link Rope}, the same work as the
 * {@code trace} command but under JMH's control of forks, warm-up and statistics. The trace
 * is a file the benchmark cannot ship, so it is named on the command line:
 * {@code -p trace=path/to/automerge-paper.json.gz}, or the system property
 * {@value #TRACE_PROPERTY} in the forked JVM. Without one, the setup fails with that
 * explanation and JMH goes on with the other benchmarks.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class TraceReplayBenchmark {
    public static final String TRACE_PROPERTY = "coedit.trace";

    /** Path of the trace file; empty means: take the system property. */
    @Param("")
    public String trace;

    private EditingTrace loaded;

    @Setup
    public void load() throws IOException {
        String path = trace.isEmpty() ? System.getProperty(TRACE_PROPERTY, "") : trace;
        if (path.isEmpty()) {
            throw new IllegalStateException("TraceReplayBenchmark skipped: no trace given. Run it with"
                    + " -p trace=path/to/automerge-paper.json.gz (or -jvmArgsAppend -D" + TRACE_PROPERTY + "=...)");
        }
        loaded = EditingTrace.read(Path.of(path));
        // A replay that gives the wrong text would be timing the wrong work.
        if (!TraceReplay.replay(loaded).toString().equals(loaded.endContent())) {
            throw new IllegalStateException("replaying " + path + " does not give its endContent;"
                    + " run the trace command for details");
        }
    }

    @Benchmark
    public Rope replay() {
        return TraceReplay.replay(loaded);
    }
}
