package io.coedit.bench.load;

import io.coedit.bench.trace.EditingTrace;
import io.coedit.ot.Rope;
import io.coedit.ot.TextOperation;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code n} writers share one editing trace in one document: the keystrokes are cut into
 * {@code n} consecutive parts, and writer {@code k} types part {@code k} in region {@code k} of
 * the document, all at once. Region {@code k} starts out holding the trace's document as of
 * the first keystroke of part {@code k} (the seed, which writer 0 sends before the run), so
 * the keystrokes of part {@code k} apply to it at their own positions. Regions are separated
 * by a newline that nobody edits. The document must end as the trace's document after each
 * part, joined by those newlines: for one writer, exactly the trace's end content.
 */
final class TracePlan {
    static final String SEPARATOR = "\n";

    record Part(EditingTrace trace, int from, int to) {
        int keystrokes() {
            return to - from;
        }
    }

    final List<Part> parts;
    /** The document before anyone types: the regions' starting texts, separated. */
    final String seed;
    /** Where each region starts in {@link #seed}, in code points. */
    final int[] regionStarts;
    /** The document once every part is typed. */
    final String expected;

    TracePlan(EditingTrace trace, int writers) {
        if (writers < 1) {
            throw new IllegalArgumentException("a trace needs at least one writer");
        }
        int n = trace.patches();
        List<String> states = new ArrayList<>(); // the trace's document at each cut
        int[] cuts = new int[writers + 1];
        for (int k = 0; k <= writers; k++) {
            cuts[k] = (int) ((long) n * k / writers);
        }
        Rope rope = Rope.of(trace.startContent());
        states.add(rope.toString());
        int cut = 1;
        for (int i = 0; i < n; i++) {
            rope.apply(TextOperation.splice(trace.position(i), trace.deleteCount(i), trace.insertText(i)));
            while (cut <= writers && cuts[cut] == i + 1) {
                states.add(rope.toString());
                cut++;
            }
        }
        while (states.size() < writers + 1) {
            states.add(rope.toString()); // a trace with no patches
        }
        List<Part> p = new ArrayList<>();
        regionStarts = new int[writers];
        StringBuilder seedText = new StringBuilder();
        int offset = 0;
        for (int k = 0; k < writers; k++) {
            p.add(new Part(trace, cuts[k], cuts[k + 1]));
            if (k > 0) {
                seedText.append(SEPARATOR);
                offset += 1;
            }
            regionStarts[k] = offset;
            String start = states.get(k);
            seedText.append(start);
            offset += start.codePointCount(0, start.length());
        }
        parts = List.copyOf(p);
        seed = seedText.toString();
        expected = String.join(SEPARATOR, states.subList(1, writers + 1));
    }
}
