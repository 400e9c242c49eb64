package io.coedit.server.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.server.EditorServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frames a careful client would never send, over a raw socket: an oversized one is refused
 * from its header (RFC 6455, 7.4.1: 1009) without being buffered, an unmasked one is refused
 * (5.1: 1002), and each costs the log one line, not a stack trace.
 */
class FrameLimitTest {
    static final int LIMIT = 4096;

    @TempDir
    Path data;
    EditorServer server;
    URI ws;

    @BeforeEach
    void start() {
        server = EditorServer.builder().port(0).dataDir(data)
                .limits(ConnectionLimits.defaults().withMaxMessageBytes(LIMIT).withIdleTimeout(Duration.ofSeconds(60)))
                .build().start();
        ws = server.webSocketUri();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aFrameAnnouncingMoreThanTheLimitIsRefusedFromItsHeader() throws Exception {
        long announced = 1L << 30;
        long heapBefore = usedHeapAfterGc();
        try (CapturedLog log = new CapturedLog(); RawWebSocket raw = helloed()) {
            // The header and a few bytes: the server cannot wait for the rest to judge it.
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(RawWebSocket.header(true, 0x1, announced, true));
            frame.write("{\"type\":\"op\"".getBytes(StandardCharsets.UTF_8));
            raw.sendRaw(frame.toByteArray());
            List<RawWebSocket.Frame> frames = untilClose(raw);
            RawWebSocket.Frame close = frames.get(frames.size() - 1);
            assertEquals(1009, close.closeCode(), () -> "frames: " + texts(frames));
            JsonObject error = JsonParser.parseString(frames.get(0).text()).getAsJsonObject();
            assertEquals("too_large", error.get("code").getAsString(), error::toString);
            assertTrue(error.get("message").getAsString().contains(String.valueOf(LIMIT)), error::toString);
            long grown = usedHeapAfterGc() - heapBefore;
            assertTrue(grown < announced / 16, "the heap grew by " + grown + " bytes for a frame announcing " + announced);
            log.assertOneLineAbout("1009");
        }
    }

    @Test
    void aWholeFrameOverTheLimitIsNotBufferedEitherAndNeitherIsAMessageInFragments() throws Exception {
        try (RawWebSocket raw = helloed()) {
            // Several times the limit, sent whole (the server may stop reading part way).
            byte[] big = ("{\"type\":\"chat\",\"doc\":\"d\",\"text\":\"" + "x".repeat(20 * LIMIT) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            try {
                raw.sendFrame(0x1, big);
            } catch (IOException e) {
                // the server closed before taking it all: that is the point
            }
            assertEquals(1009, lastOf(untilClose(raw)).closeCode());
        }
        try (RawWebSocket raw = helloed()) {
            // Three fragments of 2,000 bytes: each under the limit, the message over it.
            byte[] part = "x".repeat(2000).getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            frames.write(RawWebSocket.header(false, 0x1, part.length, true));
            frames.write(part);
            frames.write(RawWebSocket.header(false, 0x0, part.length, true));
            frames.write(part);
            frames.write(RawWebSocket.header(true, 0x0, part.length, true));
            frames.write(part);
            try {
                raw.sendRaw(frames.toByteArray());
            } catch (IOException e) {
                // closed before the last fragment
            }
            assertEquals(1009, lastOf(untilClose(raw)).closeCode());
        }
        // A message at the limit still passes.
        try (RawWebSocket raw = helloed()) {
            String ping = "{\"type\":\"ping\",\"pad\":\"" + "y".repeat(LIMIT - 24) + "\"}";
            assertEquals(LIMIT, ping.getBytes(StandardCharsets.UTF_8).length);
            raw.sendText(ping);
            assertEquals("pong", JsonParser.parseString(raw.read().text()).getAsJsonObject().get("type").getAsString());
        }
    }

    @Test
    void anUnmaskedClientFrameClosesWith1002() throws Exception {
        try (CapturedLog log = new CapturedLog(); RawWebSocket raw = helloed()) {
            byte[] ping = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(RawWebSocket.header(true, 0x1, ping.length, false));
            frame.write(ping);
            raw.sendRaw(frame.toByteArray());
            List<RawWebSocket.Frame> frames = untilClose(raw);
            assertEquals(1002, lastOf(frames).closeCode(), () -> "frames: " + texts(frames));
            for (RawWebSocket.Frame f : frames) {
                assertTrue(f.opcode() != 1 || !f.text().contains("pong"), "an unmasked frame is not answered");
            }
            log.assertOneLineAbout("1002");
        }
    }

    @Test
    void aReservedOpcodeOrAnOversizedControlFrameIsAProtocolErrorNotABuffer() throws Exception {
        for (int opcode : new int[] {0x3, 0x7, 0xB, 0x9}) {
            try (CapturedLog log = new CapturedLog(); RawWebSocket raw = helloed()) {
                // A payload announced far past the limit, and never sent.
                raw.sendRaw(RawWebSocket.header(true, opcode, 1L << 30, true));
                List<RawWebSocket.Frame> frames = untilClose(raw);
                assertEquals(1002, lastOf(frames).closeCode(), () -> "opcode " + opcode + ": " + texts(frames));
                log.assertOneLineAbout("1002");
            }
        }
    }

    private RawWebSocket helloed() throws IOException {
        RawWebSocket raw = new RawWebSocket(ws, 0);
        raw.sendText("{\"type\":\"hello\",\"name\":\"Raw\"}");
        RawWebSocket.Frame welcome = raw.read();
        assertTrue(welcome.text().contains("welcome"), welcome::text);
        return raw;
    }

    /** Frames up to and including the close; fails if the socket times out or ends without one. */
    private static List<RawWebSocket.Frame> untilClose(RawWebSocket raw) throws IOException {
        List<RawWebSocket.Frame> frames = new ArrayList<>();
        while (true) {
            RawWebSocket.Frame f = raw.read();
            frames.add(f);
            if (f.opcode() == 8) {
                return frames;
            }
        }
    }

    private static RawWebSocket.Frame lastOf(List<RawWebSocket.Frame> frames) {
        return frames.get(frames.size() - 1);
    }

    private static List<String> texts(List<RawWebSocket.Frame> frames) {
        return frames.stream().map(f -> f.opcode() + ":" + (f.opcode() == 8 ? String.valueOf(f.closeCode()) : f.text())).toList();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(30);
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    /**
     * What the server logs meanwhile: its own lines (slf4j-simple writes to whatever
     * {@code System.err} is at the time) and the records of the libraries that log through
     * java.util.logging (Tyrus, Grizzly).
     */
    static final class CapturedLog implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        private final List<LogRecord> records = new CopyOnWriteArrayList<>();
        private final Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };

        CapturedLog() {
            System.setErr(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
            handler.setLevel(Level.INFO);
            Logger.getLogger("").addHandler(handler);
        }

        /** One line mentions {@code what}, and nothing was logged with a stack trace. */
        void assertOneLineAbout(String what) {
            System.err.flush();
            String text = captured.toString(StandardCharsets.UTF_8);
            List<String> lines = text.lines().toList();
            long about = lines.stream().filter(l -> l.contains(what)).count();
            assertEquals(1, about, () -> "log lines about " + what + ":\n" + text);
            assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception")),
                    () -> "no stack trace:\n" + text);
            for (LogRecord r : records) {
                assertTrue(r.getThrown() == null && r.getLevel().intValue() < Level.WARNING.intValue(),
                        () -> "java.util.logging record: " + r.getLevel() + " " + r.getMessage() + " " + r.getThrown());
            }
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(handler);
            System.setErr(original);
        }
    }

    private static final class TeeStream extends java.io.OutputStream {
        private final PrintStream first;
        private final ByteArrayOutputStream second;

        TeeStream(PrintStream first, ByteArrayOutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
