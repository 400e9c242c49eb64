package io.coedit.bench.trace;

import com.google.gson.stream.JsonWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Small random editing traces for tests, with the end content worked out by a naive
 * reference replay on a list of code points, independent of the rope under test.
 */
final class TraceFixture {
    private static final String[] TEXTS = {"a", "b", "xyz", " ", "\n", "é", "😀", "👍🏽", "日本", "\"q\"\\"};
    static final String START = "start 😀\n";

    /** One patch: splice at {@code position}, code points. */
    record Patch(int position, int deleteCount, String text) {}

    final List<List<Patch>> transactions = new ArrayList<>();
    String startContent = START;
    String endContent;

    /** A random trace of {@code patches} patches, in transactions of one to three. */
    static TraceFixture random(long seed, int patches) {
        SplittableRandom random = new SplittableRandom(seed);
        TraceFixture trace = new TraceFixture();
        List<Integer> document = codePoints(trace.startContent);
        List<Patch> transaction = new ArrayList<>();
        for (int k = 0; k < patches; k++) {
            int position = random.nextInt(document.size() + 1);
            int deleteCount = random.nextInt(4) == 0 ? random.nextInt(Math.min(3, document.size() - position) + 1) : 0;
            String text = deleteCount > 0 && random.nextBoolean() ? "" : TEXTS[random.nextInt(TEXTS.length)];
            transaction.add(new Patch(position, deleteCount, text));
            document.subList(position, position + deleteCount).clear();
            document.addAll(position, codePoints(text));
            if (random.nextInt(3) == 0 || k == patches - 1) {
                trace.transactions.add(transaction);
                transaction = new ArrayList<>();
            }
        }
        StringBuilder end = new StringBuilder();
        document.forEach(end::appendCodePoint);
        trace.endContent = end.toString();
        return trace;
    }

    int patches() {
        return transactions.stream().mapToInt(List::size).sum();
    }

    private static List<Integer> codePoints(String text) {
        List<Integer> points = new ArrayList<>();
        text.codePoints().forEach(points::add);
        return points;
    }

    /** The trace in the editing-traces JSON format, with a field the reader must skip. */
    String json() {
        StringWriter out = new StringWriter();
        try (JsonWriter json = new JsonWriter(out)) {
            json.beginObject();
            json.name("startContent").value(startContent);
            json.name("endContent").value(endContent);
            json.name("txns").beginArray();
            int second = 0;
            for (List<Patch> transaction : transactions) {
                json.beginObject();
                json.name("time").value(String.format("2021-04-19T06:%02d:%02d.000Z", second / 60 % 60, second % 60));
                second++;
                json.name("patches").beginArray();
                for (Patch patch : transaction) {
                    json.beginArray().value(patch.position()).value(patch.deleteCount()).value(patch.text()).endArray();
                }
                json.endArray();
                json.endObject();
            }
            json.endArray();
            json.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes {@code json} to {@code file}, gzip'd or not. */
    static Path write(Path file, String json, boolean gzip) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream maybeGzip = gzip ? new GZIPOutputStream(raw) : raw;
             Writer writer = new OutputStreamWriter(maybeGzip, StandardCharsets.UTF_8)) {
            writer.write(json);
        }
        return file;
    }
}
