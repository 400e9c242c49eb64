package io.coedit.bench.trace;

import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import io.coedit.bench.JsonSyntaxErrors;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * A recorded editing session in the editing-traces format:
 * <pre>
 *   {"startContent": "", "endContent": "…",
 *    "txns": [{"time": "…", "patches": [[position, deleteCount, insertText], …]}, …]}
 * </pre>
 * Each patch has {@code Array.prototype.splice} meaning in Unicode code points: at
 * {@code position} remove {@code deleteCount}, then insert {@code insertText}. Replaying
 * every patch in order onto {@code startContent} gives {@code endContent}.
 *
 * <p>The patches are kept flat, in three parallel arrays, because a replay only walks them
 * in order; transactions only group patches and are counted, not kept. Read-only after
 * loading.
 */
public final class EditingTrace {
    private final String startContent;
    private final String endContent;
    private final int transactions;
    private final int[] positions;
    private final int[] deleteCounts;
    private final String[] insertTexts;

    EditingTrace(String startContent, String endContent, int transactions,
                 int[] positions, int[] deleteCounts, String[] insertTexts) {
        this.startContent = startContent;
        this.endContent = endContent;
        this.transactions = transactions;
        this.positions = positions;
        this.deleteCounts = deleteCounts;
        this.insertTexts = insertTexts;
    }

    /**
     * Reads a trace file, gzip'd or plain JSON; which one is told by the gzip magic number,
     * not by the file name.
     *
     * @throws IOException if the file cannot be read or is not a well-formed trace
     */
    public static EditingTrace read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
    }

    /**
     * Reads a trace from JSON text. Streams it rather than building a tree: the largest
     * traces hold hundreds of thousands of patches.
     *
     * @throws IOException if the text is not a well-formed trace, saying where
     */
    public static EditingTrace parse(Reader json) throws IOException {
        JsonReader reader = new JsonReader(json);
        reader.setStrictness(Strictness.STRICT);
        try {
            return new Parser(reader).trace();
        } catch (MalformedJsonException | IllegalStateException | NumberFormatException | JsonParseException e) {
            // Gson reports bad syntax and a wrong token type this way, saying where in the file.
            throw new IOException("malformed trace: " + JsonSyntaxErrors.message(e), e);
        }
    }

    public String startContent() {
        return startContent;
    }

    public String endContent() {
        return endContent;
    }

    /** The number of transactions, each one or more patches. */
    public int transactions() {
        return transactions;
    }

    /** The number of patches, over all transactions. */
    public int patches() {
        return positions.length;
    }

    /** Code point where patch {@code k} starts. */
    public int position(int k) {
        return positions[k];
    }

    /** Code points patch {@code k} removes. */
    public int deleteCount(int k) {
        return deleteCounts[k];
    }

    /** Text patch {@code k} inserts, possibly empty. */
    public String insertText(int k) {
        return insertTexts[k];
    }

    /** Reads the trace object field by field, skipping fields it does not use. */
    private static final class Parser {
        private final JsonReader reader;
        private int[] positions = new int[1024];
        private int[] deleteCounts = new int[1024];
        private String[] insertTexts = new String[1024];
        private int patches;
        private int transactions;

        Parser(JsonReader reader) {
            this.reader = reader;
        }

        EditingTrace trace() throws IOException {
            String start = null;
            String end = null;
            boolean sawTxns = false;
            reader.beginObject();
            while (reader.hasNext()) {
                switch (reader.nextName()) {
                    case "startContent" -> start = reader.nextString();
                    case "endContent" -> end = reader.nextString();
                    case "txns" -> {
                        transactions();
                        sawTxns = true;
                    }
                    default -> reader.skipValue();
                }
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IOException("malformed trace: content after the trace object");
            }
            if (start == null || end == null || !sawTxns) {
                throw new IOException("malformed trace: it needs startContent, endContent and txns");
            }
            return new EditingTrace(start, end, transactions, Arrays.copyOf(positions, patches),
                    Arrays.copyOf(deleteCounts, patches), Arrays.copyOf(insertTexts, patches));
        }

        private void transactions() throws IOException {
            reader.beginArray();
            while (reader.hasNext()) {
                reader.beginObject();
                while (reader.hasNext()) {
                    if (reader.nextName().equals("patches")) {
                        patches();
                    } else {
                        reader.skipValue();
                    }
                }
                reader.endObject();
                transactions++;
            }
            reader.endArray();
        }

        private void patches() throws IOException {
            reader.beginArray();
            while (reader.hasNext()) {
                reader.beginArray();
                int position = count();
                int deleteCount = count();
                String text = string();
                reader.endArray();
                add(position, deleteCount, text);
            }
            reader.endArray();
        }

        /** A patch's position or delete count: a non-negative integer, not a string of digits. */
        private int count() throws IOException {
            expect(JsonToken.NUMBER);
            int count = reader.nextInt();
            if (count < 0) {
                throw new IOException("malformed trace: negative count " + count + " at " + reader.getPath());
            }
            return count;
        }

        /** A patch's insert text: a string, not a number read as one. */
        private String string() throws IOException {
            expect(JsonToken.STRING);
            return reader.nextString();
        }

        private void expect(JsonToken token) throws IOException {
            JsonToken actual = reader.peek();
            if (actual != token) {
                throw new IOException("malformed trace: expected " + token + " but was " + actual + " at "
                        + reader.getPath());
            }
        }

        private void add(int position, int deleteCount, String text) {
            if (patches == positions.length) {
                int capacity = patches * 2;
                positions = Arrays.copyOf(positions, capacity);
                deleteCounts = Arrays.copyOf(deleteCounts, capacity);
                insertTexts = Arrays.copyOf(insertTexts, capacity);
            }
            positions[patches] = position;
            deleteCounts[patches] = deleteCount;
            insertTexts[patches] = text;
            patches++;
        }
    }
}
