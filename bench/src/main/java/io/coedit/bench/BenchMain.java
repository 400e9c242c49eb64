package io.coedit.bench;

/** Entry point of coedit-bench.jar. */
public final class BenchMain {
    public static void main(String[] args) {
        System.err.println("usage: java -jar coedit-bench.jar <ot-stdio | trace FILE [--iterations N]>");
        System.exit(2);
    }
}
