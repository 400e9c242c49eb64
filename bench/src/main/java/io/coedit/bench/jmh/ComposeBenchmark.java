package io.coedit.bench.jmh;

import io.coedit.ot.TextOperation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * {@link TextOperation#compose} of pairs of small consecutive operations, the client's work
 * when it folds what the user types into the operation it has not sent yet. Scores are
 * pairs per second, over a pre-generated batch of {@value #PAIRS} pairs as in
 * {@link TransformBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ComposeBenchmark {
    static final int PAIRS = 1024;

    @Param("1")
    public long seed;

    /** Code points of the document the first operation of a pair applies to. */
    @Param("100")
    public int documentLength;

    private TextOperation[] firsts;
    private TextOperation[] seconds;

    @Setup
    public void generate() {
        RandomOps random = new RandomOps(seed);
        firsts = new TextOperation[PAIRS];
        seconds = new TextOperation[PAIRS];
        for (int k = 0; k < PAIRS; k++) {
            firsts[k] = random.operation(documentLength);
            // The second applies to what the first produced.
            seconds[k] = random.operation(firsts[k].resultLength(documentLength));
        }
    }

    @Benchmark
    @OperationsPerInvocation(PAIRS)
    public void compose(Blackhole blackhole) {
        for (int k = 0; k < PAIRS; k++) {
            blackhole.consume(TextOperation.compose(firsts[k], seconds[k]));
        }
    }
}
