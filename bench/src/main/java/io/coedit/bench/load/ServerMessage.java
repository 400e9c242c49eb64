package io.coedit.bench.load;

import com.google.gson.JsonParser;
import io.coedit.ot.TextOperation;
import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a protocol-v1 server message that the load generator uses ({@code digest}: the
 * server's digest of its text after the operation, or at an {@code opened}'s version). The entries of a
 * batched {@code ops} message are messages of their own in {@code ops} (each with version, op,
 * clientId and seq); other messages have none.
 *
 * <p>Read by a small scanner of its own straight from the frame's characters rather than by a
 * general JSON reader: every client reads every operation, so this is most of what the
 * generator does, and on two cores it competes with the server it measures. The scanner reads
 * any JSON; it turns only the fields named here into values, skips the others without building
 * them, and reads an operation (into a {@link TextOperation}) only when {@code wantOp} asks (a lurker, which only
 * counts versions, never does).
 */
record ServerMessage(String type, String doc, long version, long seq, String clientId, String code, String text,
        TextOperation op, List<ServerMessage> ops, String digest) {

    static ServerMessage parse(CharSequence frame, boolean wantOp) {
        try {
            Scanner s = new Scanner(frame);
            ServerMessage m = s.message(wantOp);
            s.skipWhitespace();
            if (s.pos != s.end) {
                throw s.error("text after the message");
            }
            return m;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable server message: " + abbreviate(frame), e);
        }
    }

    private static String abbreviate(CharSequence s) {
        return s.length() <= 200 ? s.toString() : s.subSequence(0, 200) + "…";
    }

    /** A cursor over one frame's characters, read in place when they are in a heap buffer. */
    private static final class Scanner {
        final char[] in;
        final int end;
        int pos;

        Scanner(CharSequence frame) {
            if (frame instanceof CharBuffer b && b.hasArray()) {
                in = b.array();
                pos = b.arrayOffset() + b.position();
                end = b.arrayOffset() + b.limit();
            } else {
                in = frame.toString().toCharArray();
                pos = 0;
                end = in.length;
            }
        }

        ServerMessage message(boolean wantOp) {
            String type = null;
            String doc = null;
            long version = -1;
            long seq = -1;
            String clientId = null;
            String code = null;
            String text = null;
            TextOperation op = null;
            List<ServerMessage> ops = List.of();
            String digest = null;
            expect('{');
            if (!consume('}')) {
                do {
                    String name = string();
                    expect(':');
                    switch (name) {
                        case "type" -> type = string();
                        case "doc" -> doc = string();
                        case "version" -> version = number();
                        case "seq" -> seq = peek() == 'n' ? literal("null", -1) : number();
                        case "clientId" -> clientId = string();
                        case "digest" -> digest = string();
                        case "code" -> code = string();
                        case "message" -> text = string(); // an error's explanation
                        case "text" -> text = peek() == '"' ? string() : skipValue(null);
                        case "op" -> op = wantOp ? operation() : skipValue(null);
                        case "ops" -> {
                            ops = new ArrayList<>();
                            expect('[');
                            if (!consume(']')) {
                                do {
                                    ops.add(message(wantOp));
                                } while (consume(','));
                                expect(']');
                            }
                        }
                        default -> skipValue(null);
                    }
                } while (consume(','));
                expect('}');
            }
            return new ServerMessage(type, doc, version, seq, clientId, code, text, op, ops, digest);
        }

        /**
         * An operation in the ot-text-unicode wire form, read straight into a builder: a writer
         * reads every op of its document, and building a JSON tree first was a third of the
         * generator's time with a few hundred authors.
         */
        TextOperation operation() {
            TextOperation.Builder op = TextOperation.builder();
            expect('[');
            if (!consume(']')) {
                do {
                    char c = peek();
                    if (c == '"') {
                        op.insert(string());
                    } else if (c == '{') {
                        pos++;
                        if (!string().equals("d")) {
                            throw error("a delete {\"d\": n}");
                        }
                        expect(':');
                        op.delete(Math.toIntExact(number()));
                        expect('}');
                    } else {
                        op.retain(Math.toIntExact(number()));
                    }
                } while (consume(','));
                expect(']');
            }
            return op.build();
        }

        /** Skips one value of any kind; returns {@code result} (so a case can skip and assign). */
        <T> T skipValue(T result) {
            char c = peek();
            if (c == '"') {
                skipString();
            } else if (c == '{' || c == '[') {
                char close = c == '{' ? '}' : ']';
                pos++;
                if (!consume(close)) {
                    do {
                        if (close == '}') {
                            skipString();
                            expect(':');
                        }
                        skipValue(null);
                    } while (consume(','));
                    expect(close);
                }
            } else if (c == 't') {
                literal("true", 0);
            } else if (c == 'f') {
                literal("false", 0);
            } else if (c == 'n') {
                literal("null", 0);
            } else {
                skipNumber();
            }
            return result;
        }

        String string() {
            skipWhitespace();
            expect('"');
            int from = pos;
            while (pos < end) {
                char c = in[pos];
                if (c == '"') {
                    String s = new String(in, from, pos - from);
                    pos++;
                    return s;
                }
                if (c == '\\') {
                    pos = from - 1;
                    return escapedString();
                }
                pos++;
            }
            throw error("an unterminated string");
        }

        /** A string with escapes, rare in server messages: left to Gson. */
        private String escapedString() {
            int from = pos;
            skipString();
            return JsonParser.parseString(new String(in, from, pos - from)).getAsString();
        }

        private void skipString() {
            skipWhitespace();
            expect('"');
            while (pos < end) {
                char c = in[pos++];
                if (c == '"') {
                    return;
                }
                if (c == '\\') {
                    pos++;
                }
            }
            throw error("an unterminated string");
        }

        long number() {
            skipWhitespace();
            int from = pos;
            boolean negative = consume('-');
            long value = 0;
            int digits = 0;
            while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
                value = Math.multiplyExact(value, 10) + (in[pos++] - '0');
                digits++;
            }
            if (digits == 0 || (pos < end && (in[pos] == '.' || in[pos] == 'e' || in[pos] == 'E'))) {
                pos = from;
                throw error("an integer");
            }
            return negative ? -value : value;
        }

        private void skipNumber() {
            skipWhitespace();
            int from = pos;
            while (pos < end && isNumberChar(in[pos])) {
                pos++;
            }
            if (pos == from) {
                throw error("a value");
            }
        }

        private long literal(String word, long value) {
            skipWhitespace();
            for (int i = 0; i < word.length(); i++) {
                if (pos >= end || in[pos] != word.charAt(i)) {
                    throw error(word);
                }
                pos++;
            }
            return value;
        }

        char peek() {
            skipWhitespace();
            if (pos >= end) {
                throw error("more");
            }
            return in[pos];
        }

        boolean consume(char c) {
            skipWhitespace();
            if (pos < end && in[pos] == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!consume(c)) {
                throw error("'" + c + "'");
            }
        }

        void skipWhitespace() {
            while (pos < end && (in[pos] == ' ' || in[pos] == '\n' || in[pos] == '\r' || in[pos] == '\t')) {
                pos++;
            }
        }

        private static boolean isNumberChar(char c) {
            return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
        }

        IllegalArgumentException error(String expected) {
            return new IllegalArgumentException("expected " + expected + " at offset " + pos);
        }
    }
}
