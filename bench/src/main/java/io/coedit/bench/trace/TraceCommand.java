package io.coedit.bench.trace;

import io.coedit.ot.Rope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code trace FILE}: replays a real editing trace onto a rope, checks the result once and
 * times the replay. Loading and parsing the file stay outside the timed region; turning
 * each patch into an operation and applying it are inside, because that is the work an
 * editor server does per edit.
 */
@Command(name = "trace",
        description = {
            "Replays an editing trace onto a Rope and times it.",
            "%nFILE is gzip'd or plain JSON in the editing-traces format. The first replay is checked"
                    + " against the trace's endContent; of N replays, the first third is warm-up and the"
                    + " median, minimum and patches per second of the rest are reported."
        })
public final class TraceCommand implements Callable<Integer> {
    /** Warm runs whose second half is this much faster than their first are still warming up. */
    private static final double DRIFT_WARNING = 1.10;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Parameters(index = "0", paramLabel = "FILE", description = "The trace, e.g. automerge-paper.json.gz.")
    private Path file;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "50",
            description = "Full replays to run, warm-up included (default: ${DEFAULT-VALUE}).")
    private int iterations;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        if (iterations < 1) {
            throw new ParameterException(spec.commandLine(), "--iterations must be at least 1, got " + iterations);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        EditingTrace trace;
        try {
            trace = EditingTrace.read(file);
        } catch (NoSuchFileException e) {
            err.println("cannot read trace " + file + ": no such file");
            return 1;
        } catch (IOException e) {
            err.println("cannot read trace " + file + ": " + e.getMessage());
            return 1;
        }
        String expected = trace.endContent();
        int expectedLength = expected.codePointCount(0, expected.length());
        out.printf(Locale.ROOT, "trace %s: %,d patches in %,d transactions, end content %,d code points%n",
                file, trace.patches(), trace.transactions(), expectedLength);
        out.flush();

        long[] nanos = new long[iterations];
        for (int run = 0; run < iterations; run++) {
            long start = System.nanoTime();
            Rope rope;
            try {
                rope = TraceReplay.replay(trace);
            } catch (IllegalArgumentException e) {
                err.println("trace does not replay: " + e.getMessage());
                return 1;
            }
            nanos[run] = System.nanoTime() - start;

            // The full comparison once; later runs check the length, which is free and
            // also keeps the result alive so no run can be optimised away.
            if (run == 0) {
                String actual = rope.toString();
                if (!actual.equals(expected)) {
                    err.println("MISMATCH: replaying " + file + " does not give its endContent: "
                            + describeMismatch(actual, expected));
                    return 1;
                }
                out.printf(Locale.ROOT, "verified: run 1 (cold, %.1f ms) gives exactly endContent%n", millis(nanos[0]));
                out.flush();
            } else if (rope.length() != expectedLength) {
                err.println("MISMATCH: run " + (run + 1) + " gives " + rope.length() + " code points, run 1 gave "
                        + expectedLength);
                return 1;
            }
        }

        report(out, new ReplayTimes(nanos), trace.patches());
        return 0;
    }

    private static void report(PrintWriter out, ReplayTimes times, int patches) {
        if (times.warmupRuns() == 0) {
            out.printf(Locale.ROOT, "%d run(s), too few to set any aside as warm-up; over all of them:%n", times.runs());
        } else {
            out.printf(Locale.ROOT, "%d runs, the first %d discarded as warm-up; over the other %d:%n",
                    times.runs(), times.warmupRuns(), times.warmRuns());
        }
        double median = times.medianNanos();
        out.printf(Locale.ROOT, "  median  %10.2f ms per full replay%n", median / 1e6);
        out.printf(Locale.ROOT, "  min     %10.2f ms%n", millis(times.minNanos()));
        out.printf(Locale.ROOT, "  ops/s   %,10.0f patches per second at the median%n", patches / (median / 1e9));
        double drift = times.warmDrift();
        if (drift > DRIFT_WARNING) {
            out.printf(Locale.ROOT, "note: the first half of the warm runs took %.2fx as long as the second half:"
                    + " the runs had not settled (the JIT still compiling, or other load on the machine), so this"
                    + " median overstates the steady state; a larger --iterations gives a steadier figure%n", drift);
        }
        out.flush();
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    /** Where two texts first differ, in code points, with a little context from each. */
    static String describeMismatch(String actual, String expected) {
        int at = 0; // UTF-16 index of the first difference, moved back to a code point boundary
        int common = Math.min(actual.length(), expected.length());
        while (at < common && actual.charAt(at) == expected.charAt(at)) {
            at++;
        }
        if (at > 0 && Character.isHighSurrogate(actual.charAt(at - 1))) {
            at--;
        }
        return "lengths " + actual.codePointCount(0, actual.length()) + " (replayed) and "
                + expected.codePointCount(0, expected.length()) + " (expected) code points; first difference at code point "
                + actual.codePointCount(0, at) + ": replayed " + excerpt(actual, at) + ", expected " + excerpt(expected, at);
    }

    private static String excerpt(String text, int from) {
        int end = from;
        for (int points = 0; points < 30 && end < text.length(); points++) {
            end = text.offsetByCodePoints(end, 1);
        }
        String shown = text.substring(from, end).replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
        return "\"" + shown + (end < text.length() ? "…\"" : "\"");
    }
}
