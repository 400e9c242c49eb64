package io.coedit.bench.stdio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream into UTF-8 lines. Unlike a {@code BufferedReader}, which either
 * replaces malformed bytes silently or fails for the rest of the stream, this reads a whole
 * line before decoding it, so a malformed line is reported on its own and the next line
 * reads normally.
 */
final class Utf8LineReader {
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** Reads from {@code in}, which should be buffered: it is read one byte at a time. */
    Utf8LineReader(InputStream in) {
        this.in = in;
    }

    /**
     * The next line without its terminator ({@code "\n"} or {@code "\r\n"}), or null at the
     * end of the input. A last line without a terminator is still a line.
     *
     * @throws IllegalArgumentException if the line is not valid UTF-8; the line is consumed
     */
    String readLine() throws IOException {
        line.reset();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        return decode(ByteBuffer.wrap(bytes, 0, length));
    }

    private String decode(ByteBuffer bytes) {
        CharBuffer chars = CharBuffer.allocate(bytes.remaining()); // UTF-8 never has fewer bytes than UTF-16 units
        decoder.reset();
        CoderResult result = decoder.decode(bytes, chars, true);
        if (!result.isError()) {
            result = decoder.flush(chars);
        }
        if (result.isError()) {
            throw new IllegalArgumentException("line is not valid UTF-8: malformed byte sequence at byte offset "
                    + bytes.position());
        }
        return chars.flip().toString();
    }
}
