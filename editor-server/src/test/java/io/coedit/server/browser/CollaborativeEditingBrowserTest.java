package io.coedit.server.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.server.EditorServer;
import io.coedit.server.session.DocumentService.DocumentText;
import io.coedit.web.HeadlessChromium;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebDriverException;

/**
 * The web client end to end: real Chromium windows (each its own browser, so its own
 * storage, as two people have) against a real server on a free port with a database in a
 * temporary folder. Every wait is a condition (WebDriverWait), never a sleep.
 */
class CollaborativeEditingBrowserTest {
    /** Two people's typing, in alphabets that share nothing but the space, so each one's keys can be found again. */
    private static final String ANN_TYPES = "ann types here ñ é 中文 😀 and more ";
    private static final String BEN_TYPES = "BEN 123 Ü Ω 🎉 XYZ 456 ";
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    Path data;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private ExecutorService typists;

    @BeforeEach
    void browserInstalled() {
        HeadlessChromium.assumeInstalled();
        typists = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void closeEverything() throws Exception {
        typists.shutdownNow();
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private EditorServer startServer(int port) {
        EditorServer server = EditorServer.builder().port(port).dataDir(data).build().start();
        opened.add(server);
        return server;
    }

    private EditorWindow window(EditorServer server, String doc, String name) {
        EditorWindow w = EditorWindow.open(server.uri(), doc, name);
        opened.add(w);
        return w;
    }

    private static String serverText(EditorServer server, String doc) throws Exception {
        return server.service().text(doc, null).get(10, TimeUnit.SECONDS).map(DocumentText::text).orElse("");
    }

    /** Waits until every window is synchronised and shows the text the server has. */
    private static String waitConverged(EditorServer server, String doc, EditorWindow... windows) throws Exception {
        for (EditorWindow w : windows) {
            w.waitUntil("synchronised with the server's text", () -> {
                try {
                    return w.synced() && w.text().equals(serverText(server, doc));
                } catch (Exception e) {
                    return false;
                }
            });
        }
        String text = serverText(server, doc);
        for (EditorWindow w : windows) {
            assertEquals(text, w.text(), w.name + "'s text");
        }
        return text;
    }

    /** The code points of {@code text} that belong to {@code alphabet}'s, in order. */
    private static String keysOf(String text, String alphabet) {
        Set<Integer> points = alphabet.codePoints().filter(c -> c != ' ').boxed().collect(Collectors.toSet());
        return text.codePoints().filter(points::contains)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    /** Code point chunks of {@code text}, so typing can be spread over time and interleaved. */
    private static List<String> chunks(String text, int size) {
        List<String> out = new ArrayList<>();
        int[] points = text.codePoints().toArray();
        for (int i = 0; i < points.length; i += size) {
            out.add(new String(points, i, Math.min(size, points.length - i)));
        }
        return out;
    }

    private Future<?> typeInChunks(EditorWindow w, String text, int size) {
        return typists.submit(() -> {
            for (String chunk : chunks(text, size)) {
                w.type(chunk);
            }
            return null;
        });
    }

    @Test
    void twoWindowsTypingAtTheSameSpotAtTheSameTimeEndIdentical() throws Exception {
        EditorServer server = startServer(0);
        EditorWindow ann = window(server, "race", "Ann");
        EditorWindow ben = window(server, "race", "Ben");
        ann.type("«»");
        waitConverged(server, "race", ann, ben);

        // Both carets between « and »: the same spot.
        ann.placeCaret(1);
        ben.placeCaret(1);
        Future<?> a = typeInChunks(ann, ANN_TYPES, 3);
        Future<?> b = typeInChunks(ben, BEN_TYPES, 2);
        a.get(60, TimeUnit.SECONDS);
        b.get(60, TimeUnit.SECONDS);

        String text = waitConverged(server, "race", ann, ben);
        assertTrue(text.startsWith("«") && text.endsWith("»"), text);
        assertEquals(keysOf(ANN_TYPES, ANN_TYPES), keysOf(text, ANN_TYPES), "Ann's keys, in her order: " + text);
        assertEquals(keysOf(BEN_TYPES, BEN_TYPES), keysOf(text, BEN_TYPES), "Ben's keys, in his order: " + text);
        assertEquals(2 + ANN_TYPES.codePointCount(0, ANN_TYPES.length()) + BEN_TYPES.codePointCount(0, BEN_TYPES.length()),
                text.codePointCount(0, text.length()), "nothing lost, nothing doubled: " + text);
        assertEquals(List.of(), consoleErrors(ann, ben));
    }

    @Test
    void deletingUndoPasteAndImeCompositionBecomeOperations() throws Exception {
        EditorServer server = startServer(0);
        EditorWindow ann = window(server, "input", "Ann");
        EditorWindow ben = window(server, "input", "Ben");
        ann.type("Hello wörld");
        waitConverged(server, "input", ann, ben);

        ann.backspace(5);
        assertEquals("Hello ", waitConverged(server, "input", ann, ben));
        ann.undo(); // the browser's own undo brings deleted text back (how much is the browser's choice): an edit too
        ann.waitUntil("undo changed the text", () -> !ann.text().equals("Hello "));
        String undone = waitConverged(server, "input", ann, ben);
        assertTrue(undone.length() > 6 && "Hello wörld".startsWith(undone), undone);

        ann.select(0, 5);
        ann.copyAndPasteAt(undone.length());
        ann.waitUntil("the paste arrived", () -> ann.text().equals(undone + "Hello"));
        String pasted = waitConverged(server, "input", ann, ben);
        assertEquals(undone + "Hello", pasted);

        // An input method composes at the end while Ben types at the start: Ann's composition
        // is not disturbed; his edit waits until she picks her word, then both are merged.
        ann.placeCaret(pasted.length());
        ann.startComposition();
        ann.updateComposition("に");
        ann.updateComposition("にほん");
        ben.placeCaret(0);
        ben.type("¡");
        ann.waitUntil("Ben's edit waits for the composition", () -> ann.heldMessages() > 0);
        assertEquals(pasted + "にほん", ann.text(), "the composition was disturbed");
        ann.endComposition("日本");
        assertEquals("¡" + pasted + "日本", waitConverged(server, "input", ann, ben));
        assertEquals(List.of(), consoleErrors(ann, ben));
    }

    @Test
    void theOtherWindowShowsTheCaretWhereThatPersonTypes() throws Exception {
        EditorServer server = startServer(0);
        EditorWindow ann = window(server, "carets", "Ann");
        EditorWindow ben = window(server, "carets", "Ben");
        EditorWindow cleo = window(server, "carets", "Cleo");
        ann.type("The quick brown fox jumps over the lazy dog.\nPack my box with five dozen liquor jugs. 🦊\n");
        waitConverged(server, "carets", ann, ben, cleo);

        ann.placeCaret(10);
        ann.type("very ");
        waitConverged(server, "carets", ann, ben, cleo);
        ben.select(60, 70); // on the text everyone has now

        int annCaret = ann.caret();
        assertEquals(15, annCaret);
        String annId = ann.clientId();
        String benId = ben.clientId();
        ben.waitUntil("Ann's caret shown where she types", () -> ben.remoteCarets().stream()
                .anyMatch(c -> c.clientId().equals(annId) && c.position() == annCaret && c.name().equals("Ann") && c.insideEditor()));
        cleo.waitUntil("both carets shown, with names", () -> {
            List<EditorWindow.RemoteCaret> carets = cleo.remoteCarets();
            return carets.stream().anyMatch(c -> c.clientId().equals(annId) && c.position() == annCaret && c.name().equals("Ann"))
                    && carets.stream().anyMatch(c -> c.clientId().equals(benId) && c.position() == 70 && c.name().equals("Ben"));
        });
        cleo.waitUntil("everyone listed", () -> cleo.participants().containsAll(List.of("Cleo", "Ann", "Ben")));

        // She goes on typing: the caret follows her, and Cleo's own caret does not move.
        cleo.placeCaret(3);
        ann.type("nimble ");
        waitConverged(server, "carets", ann, ben, cleo);
        assertEquals(3, cleo.caret(), "a remote edit moved the local caret");
        ben.waitUntil("Ann's caret moved on with her typing", () -> ben.remoteCarets().stream()
                .anyMatch(c -> c.clientId().equals(annId) && c.position() == annCaret + 7));
        ben.select(69, 84); // "with five dozen" on the second line
        cleo.waitUntil("both carets where they are now", () -> {
            List<EditorWindow.RemoteCaret> carets = cleo.remoteCarets();
            return carets.stream().anyMatch(c -> c.clientId().equals(annId) && c.position() == annCaret + 7)
                    && carets.stream().anyMatch(c -> c.clientId().equals(benId) && c.position() == 84 && c.insideEditor());
        });

        Path shot = cleo.screenshot(SCREENSHOTS.resolve("editor-two-carets.png"));
        System.out.println("screenshot of the editor with two carets: " + shot.toAbsolutePath());
        assertEquals(List.of(), consoleErrors(ann, ben, cleo));
    }

    @Test
    void aWindowThatJustOpenedIsListedInTheOtherAtOnceAndItsCaretShown() throws Exception {
        EditorServer server = startServer(0);
        EditorWindow ann = window(server, "arrivals", "Ann");
        ann.type("hello there");
        waitConverged(server, "arrivals", ann);
        // Ben opens the document and does nothing: no key, no click.
        EditorWindow ben = window(server, "arrivals", "Ben");
        ann.waitUntil("Ben listed", () -> ann.participants().contains("Ben"));
        ben.waitUntil("Ann listed", () -> ben.participants().containsAll(List.of("Ben", "Ann")));
        String benId = ben.clientId();
        ann.waitUntil("Ben's caret shown though he never moved it", () -> ann.remoteCarets().stream()
                .anyMatch(c -> c.clientId().equals(benId) && c.name().equals("Ben")));
    }

    @Test
    void theServerRestartsMidTypingAndNothingIsLost() throws Exception {
        EditorServer first = startServer(0);
        int port = first.port();
        EditorWindow ann = window(first, "restart", "Ann");
        EditorWindow ben = window(first, "restart", "Ben");
        Future<?> a = typeInChunks(ann, ANN_TYPES.repeat(2), 2);
        Future<?> b = typeInChunks(ben, BEN_TYPES.repeat(2), 2);

        ann.waitUntil("some typing reached the server", () -> {
            try {
                return serverText(first, "restart").codePointCount(0, serverText(first, "restart").length()) >= 8;
            } catch (Exception e) {
                return false;
            }
        });
        assertFalse(a.isDone() && b.isDone(), "the typing should still be going on when the server stops");
        first.close(); // graceful: the sockets close 1001; the windows keep taking keys
        ann.waitUntil("the badge says the connection is lost", () -> !ann.connectionState().equals("connected"));
        EditorServer second = startServer(port);
        a.get(60, TimeUnit.SECONDS);
        b.get(60, TimeUnit.SECONDS);

        String text = waitConverged(second, "restart", ann, ben);
        assertEquals(keysOf(ANN_TYPES.repeat(2), ANN_TYPES), keysOf(text, ANN_TYPES), "Ann's keys: " + text);
        assertEquals(keysOf(BEN_TYPES.repeat(2), BEN_TYPES), keysOf(text, BEN_TYPES), "Ben's keys: " + text);
        assertEquals(2 * (ANN_TYPES.codePointCount(0, ANN_TYPES.length()) + BEN_TYPES.codePointCount(0, BEN_TYPES.length())),
                text.codePointCount(0, text.length()), "nothing lost, nothing doubled: " + text);
    }

    @Test
    void editsMadeOfflineSurviveAReloadAndArriveWhenTheServerIsBack() throws Exception {
        EditorServer first = startServer(0);
        int port = first.port();
        EditorWindow ann = window(first, "offline", "Ann");
        ann.type("Written online. ");
        waitConverged(first, "offline", ann);
        ann.waitUntil("the page can load without the server", ann::offlineReady);

        first.close();
        ann.waitUntil("the badge says the connection is lost", () -> !ann.connectionState().equals("connected"));
        ann.type("Written offline: ñ 😀 中文.");
        ann.waitUntil("the badge counts the unsent edits", () -> ann.unsentEdits() > 0
                && ann.connectionText().matches("(Reconnecting…|Offline) \\(\\d+ unsent edits?\\)"));

        ann.reload(); // the server is still down: the page comes from the browser, the edits from its storage
        ann.waitUntil("the reloaded page shows the offline edits", () -> {
            try {
                return "Written online. Written offline: ñ 😀 中文.".equals(ann.text());
            } catch (RuntimeException e) {
                return false; // still loading
            }
        });
        assertTrue(ann.unsentEdits() > 0, "unsent edits after the reload: " + ann.describe());
        assertFalse(ann.connectionState().equals("connected"));

        EditorServer second = startServer(port);
        String text = waitConverged(second, "offline", ann);
        assertEquals("Written online. Written offline: ñ 😀 中文.", text);
        EditorWindow ben = window(second, "offline", "Ben");
        assertEquals(text, ben.text());
    }

    @Test
    void aChatMessageReachesTheOtherWindowAsText() throws Exception {
        EditorServer server = startServer(0);
        EditorWindow ann = window(server, "chat", "Ann");
        EditorWindow ben = window(server, "chat", "Ben");
        String message = "Tea at 4? ☕ <b>not bold</b> <img src=x onerror=alert(1)>";
        ann.sendChat(message);
        ben.waitUntil("the message arrived", () -> ben.chatTexts().equals(List.of(message)));
        ann.waitUntil("the sender sees it too", () -> ann.chatTexts().equals(List.of(message)));
        assertEquals(0, ben.elementsInsideChatTexts(), "markup in a message must stay text");
        ben.screenshot(SCREENSHOTS.resolve("editor-chat.png"));

        ben.reload();
        ben.waitUntil("the history comes back after a reload", () -> {
            try {
                return ben.chatTexts().equals(List.of(message));
            } catch (RuntimeException e) {
                return false;
            }
        });
        assertEquals(List.of(), consoleErrors(ann, ben));
    }

    @Test
    void aReadOnlyTokenShowsTheDocumentReadOnly() throws Exception {
        String secret = "browser-test-secret-browser-test-secret";
        EditorServer server = EditorServer.builder().port(0).dataDir(data).jwtSecret(secret).build().start();
        opened.add(server);
        String writer = token(secret, "ann", List.of("*"), List.of("notes"));
        String reader = token(secret, "vic", List.of("notes"), List.of());
        EditorWindow ann = EditorWindow.open(server.uri(), "/d/notes?token=" + writer, "Ann", true);
        opened.add(ann);
        EditorWindow vic = EditorWindow.open(server.uri(), "/d/notes?token=" + reader, "Vic", true);
        opened.add(vic);

        vic.waitUntil("the page says read-only", vic::readOnly);
        assertFalse(ann.readOnly());
        ann.type("Only Ann writes here.");
        waitConverged(server, "notes", ann, vic);
        try {
            vic.type("Vic tries");
        } catch (WebDriverException refused) {
            // the browser may refuse keys to a read-only field outright: as good
        }
        assertEquals("Only Ann writes here.", vic.text(), "a read-only page takes no keys");
        assertEquals("Only Ann writes here.", serverText(server, "notes"));
    }

    @Test
    void theDocumentListShowsWhatWasWrittenAndOpensDocumentsByName() throws Exception {
        EditorServer server = startServer(0);
        EditorWindow ann = window(server, "meeting-notes", "Ann");
        ann.type("Agenda");
        waitConverged(server, "meeting-notes", ann);

        EditorWindow ben = window(server, "scratch", "Ben");
        ben.goTo(server.uri().resolve("/"));
        ben.waitUntil("the list shows the edited document", () -> ben.documentList().contains("meeting-notes"));
        assertFalse(ben.documentList().contains("scratch"), "a document nobody edited is not listed");
        ben.screenshot(SCREENSHOTS.resolve("document-list.png"));

        ben.openByName("Project plan");
        ben.waitUntil("the editor of the new document", () -> ben.path().equals("/d/Project-plan") && ben.synced());
        assertEquals("", ben.text());
    }

    private static String token(String secret, String subject, List<String> read, List<String> write) {
        return Jwts.builder().subject(subject).claim("read", read).claim("write", write)
                .signWith(Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8))).compact();
    }

    private static List<String> consoleErrors(EditorWindow... windows) {
        List<String> errors = new ArrayList<>();
        for (EditorWindow w : windows) {
            w.consoleErrors().forEach(e -> errors.add(w.name + ": " + e));
        }
        return errors;
    }
}
