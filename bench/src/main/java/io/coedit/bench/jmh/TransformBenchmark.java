package io.coedit.bench.jmh;

import io.coedit.ot.Side;
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
 * {@link TextOperation#transform} on pairs of small concurrent operations, the server's
 * work for every incoming operation and every operation it missed. Scores are pairs per
 * second: each invocation walks a pre-generated batch of {@value #PAIRS} pairs, and
 * {@link OperationsPerInvocation} divides by the batch, so the call overhead of the
 * harness is spread thin and the mix of operation shapes is the same in every run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TransformBenchmark {
    /** Enough pairs to mix many shapes, few enough that all of them stay in the CPU cache. */
    static final int PAIRS = 1024;

    @Param("1")
    public long seed;

    /** Code points of the document both operations of a pair were made on. */
    @Param("100")
    public int documentLength;

    private TextOperation[] ops;
    private TextOperation[] others;

    @Setup
    public void generate() {
        RandomOps random = new RandomOps(seed);
        ops = new TextOperation[PAIRS];
        others = new TextOperation[PAIRS];
        for (int k = 0; k < PAIRS; k++) {
            ops[k] = random.operation(documentLength);
            others[k] = random.operation(documentLength);
        }
    }

    /** One pair = one transform: {@code op} rewritten to follow {@code other}, sides alternating. */
    @Benchmark
    @OperationsPerInvocation(PAIRS)
    public void transform(Blackhole blackhole) {
        for (int k = 0; k < PAIRS; k++) {
            blackhole.consume(TextOperation.transform(ops[k], others[k], (k & 1) == 0 ? Side.LEFT : Side.RIGHT));
        }
    }

    /**
     * One pair = both transforms of it, {@code op'} and {@code other'}, as a peer-to-peer
     * system or a client rebasing its pending operation needs.
     */
    @Benchmark
    @OperationsPerInvocation(PAIRS)
    public void transformBothWays(Blackhole blackhole) {
        for (int k = 0; k < PAIRS; k++) {
            blackhole.consume(TextOperation.transform(ops[k], others[k], Side.LEFT));
            blackhole.consume(TextOperation.transform(others[k], ops[k], Side.RIGHT));
        }
    }
}
