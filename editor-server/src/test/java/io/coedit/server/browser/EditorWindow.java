package io.coedit.server.browser;

import io.coedit.web.HeadlessChromium;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One person at the editor page in a browser of their own: what they do (type, move the
 * caret, chat, reload) and what they see (the text, the connection badge, other people's
 * carets, the chat), read from the page. Waits are conditions polled by WebDriverWait.
 */
final class EditorWindow implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);

    /** Someone else's caret as this window draws it. */
    record RemoteCaret(String clientId, int position, String name, boolean insideEditor) {}

    final String name;
    private final HeadlessChromium browser;
    private final ChromeDriver driver;
    private final List<String> consoleErrors = new ArrayList<>();

    private EditorWindow(HeadlessChromium browser, String name) {
        this.browser = browser;
        this.driver = browser.driver();
        this.name = name;
    }

    /** Opens /d/{doc} on the server as {@code name} (kept in the page's storage, as the name field does). */
    static EditorWindow open(URI server, String doc, String name) {
        return open(server, "/d/" + doc, name, true);
    }

    /** Opens {@code path} (e.g. with ?token=) and waits until the document is loaded, and synchronised if asked. */
    static EditorWindow open(URI server, String path, String name, boolean waitSynced) {
        HeadlessChromium browser = HeadlessChromium.start();
        EditorWindow window = new EditorWindow(browser, name);
        try {
            // Each window is the one its person looks at: without this, a page of a headless
            // Chromium has no focus until the driver's first keys, and those then put the
            // caret at the end of the text, wherever placeCaret had put it.
            browser.driver().executeCdpCommand("Emulation.setFocusEmulationEnabled", Map.of("enabled", true));
            browser.driver().get(server.resolve("/").toString());
            window.js("localStorage.setItem('coedit:name', arguments[0])", name);
            browser.driver().get(server.resolve(path).toString());
            if (waitSynced) {
                window.waitUntilSynced();
            } else {
                window.waitUntil("the document is loaded", () -> Boolean.TRUE.equals(window.js(
                        "return !!(window.coedit && window.coedit.doc.ready)")));
            }
            return window;
        } catch (RuntimeException | Error e) {
            browser.close();
            throw e;
        }
    }

    // ---- what the person sees ----------------------------------------------------------

    String text() {
        return (String) js("return document.getElementById('editor').value");
    }

    /** The connection badge's state: connected, reconnecting, offline, ... */
    String connectionState() {
        return (String) js("return document.getElementById('connection-status').dataset.state");
    }

    String connectionText() {
        return (String) js("return document.querySelector('#connection-status .status-text').textContent");
    }

    int unsentEdits() {
        return ((Number) js("return Number(document.getElementById('connection-status').dataset.unsent)")).intValue();
    }

    /** Connected, nothing unacknowledged, nothing waiting in the client. */
    boolean synced() {
        return Boolean.TRUE.equals(js("const c = window.coedit; return !!c && c.doc.ready"
                + " && document.getElementById('connection-status').dataset.state === 'connected'"
                + " && c.doc.state === 'Synchronized' && c.doc.unsentEdits === 0"));
    }

    String clientId() {
        return (String) js("return window.coedit.doc.clientId");
    }

    boolean readOnly() {
        return Boolean.TRUE.equals(js("return document.getElementById('editor').readOnly"
                + " && !document.getElementById('read-only-badge').hidden"));
    }

    /** This person's caret (the selection's head) in code points. */
    int caret() {
        return ((Number) js("const t = document.getElementById('editor');"
                + "const i = t.selectionDirection === 'backward' ? t.selectionStart : t.selectionEnd;"
                + "return [...t.value.slice(0, i)].length")).intValue();
    }

    /** The carets of other people drawn over the text. */
    @SuppressWarnings("unchecked")
    List<RemoteCaret> remoteCarets() {
        List<Map<String, Object>> carets = (List<Map<String, Object>>) js(
                "const box = document.getElementById('editor').getBoundingClientRect();"
                + "return [...document.querySelectorAll('.remote-caret')].map(c => {"
                + "  const r = c.getBoundingClientRect();"
                + "  return {clientId: c.dataset.clientId, position: Number(c.dataset.position),"
                + "          name: c.querySelector('.remote-caret-label').textContent,"
                + "          inside: r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom};"
                + "})");
        return carets.stream().map(c -> new RemoteCaret((String) c.get("clientId"), ((Number) c.get("position")).intValue(),
                (String) c.get("name"), Boolean.TRUE.equals(c.get("inside")))).toList();
    }

    /** The participant names listed beside the editor. */
    @SuppressWarnings("unchecked")
    List<String> participants() {
        return (List<String>) js("return [...document.querySelectorAll('#participants .participant-name')].map(e => e.textContent)");
    }

    /** The chat messages' texts, oldest first. */
    @SuppressWarnings("unchecked")
    List<String> chatTexts() {
        return (List<String>) js("return [...document.querySelectorAll('#chat-messages .chat-text')].map(e => e.textContent)");
    }

    /** How many elements the chat's messages contain below their text (markup in a message would add some). */
    long elementsInsideChatTexts() {
        return ((Number) js("return document.querySelectorAll('#chat-messages .chat-text *').length")).longValue();
    }

    // ---- what the person does ----------------------------------------------------------

    private WebElement editor() {
        return driver.findElement(By.id("editor"));
    }

    /**
     * Types at the caret: characters of the Basic Multilingual Plane key by key; astral ones
     * (emoji) as an emoji picker or input method enters them, one text insertion each
     * (ChromeDriver refuses astral characters as keys). Both reach the page as the browser's
     * own beforeinput and input events.
     */
    void type(String text) {
        focusEditor();
        StringBuilder keys = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isBmpCodePoint(c)) {
                keys.append((char) c);
            } else {
                if (!keys.isEmpty()) {
                    editor().sendKeys(keys.toString());
                    keys.setLength(0);
                }
                driver.executeCdpCommand("Input.insertText", Map.of("text", Character.toString(c)));
            }
        });
        if (!keys.isEmpty()) {
            editor().sendKeys(keys.toString());
        }
    }

    /** Puts the caret at a code point position (focusing the editor, as a click would). */
    void placeCaret(int position) {
        select(position, position);
    }

    /** Selects from anchor to head, in code points. */
    void select(int anchor, int head) {
        js("const t = document.getElementById('editor'); t.focus();"
                + "const at = p => [...t.value].slice(0, p).join('').length;"
                + "const a = at(arguments[0]), h = at(arguments[1]);"
                + "t.setSelectionRange(Math.min(a, h), Math.max(a, h), h < a ? 'backward' : 'forward');"
                + "t.dispatchEvent(new Event('select'));", anchor, head);
    }

    private void focusEditor() {
        js("const t = document.getElementById('editor'); if (document.activeElement !== t) { t.focus(); }");
    }

    /** Presses Backspace {@code times} times. */
    void backspace(int times) {
        focusEditor();
        editor().sendKeys(Keys.BACK_SPACE.toString().repeat(times));
    }

    /** Copies the selection and pastes it at code point {@code position}, with the keyboard. */
    void copyAndPasteAt(int position) {
        focusEditor();
        editor().sendKeys(Keys.chord(Keys.CONTROL, "c"));
        placeCaret(position);
        editor().sendKeys(Keys.chord(Keys.CONTROL, "v"));
    }

    /** The browser's own undo (Ctrl+Z in the editor). */
    void undo() {
        js("const t = document.getElementById('editor'); t.focus(); document.execCommand('undo');");
    }

    /**
     * Starts an IME composition at the caret, as an input method does: the browser then
     * owns the composed text until {@link #endComposition}.
     */
    void startComposition() {
        js("const t = document.getElementById('editor'); t.focus();"
                + "window.imeRange = [t.selectionStart, t.selectionStart];"
                + "t.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}));");
    }

    /** The input method shows {@code text} as the composition so far. */
    void updateComposition(String text) {
        js("const t = document.getElementById('editor'); const [start, end] = window.imeRange;"
                + "t.setRangeText(arguments[0], start, end, 'end'); window.imeRange = [start, start + arguments[0].length];"
                + "t.dispatchEvent(new CompositionEvent('compositionupdate', {data: arguments[0]}));"
                + "t.dispatchEvent(new InputEvent('input', {isComposing: true, inputType: 'insertCompositionText', data: arguments[0]}));",
                text);
    }

    /** The person picks {@code text}: the composition ends with it in the text. */
    void endComposition(String text) {
        updateComposition(text);
        js("document.getElementById('editor').dispatchEvent(new CompositionEvent('compositionend', {data: arguments[0]}))", text);
    }

    /** Remote messages the page holds back (during a composition). */
    int heldMessages() {
        return ((Number) js("return window.coedit.doc._heldMessages.length")).intValue();
    }

    void sendChat(String text) {
        WebElement input = driver.findElement(By.id("chat-input"));
        input.sendKeys(text);
        driver.findElement(By.cssSelector("#chat-form button[type=submit]")).click();
    }

    /** Goes to another page of the server. */
    void goTo(URI page) {
        driver.get(page.toString());
    }

    /** The path of the page shown. */
    String path() {
        return (String) js("return location.pathname");
    }

    /** The document names on the document list page. */
    @SuppressWarnings("unchecked")
    List<String> documentList() {
        return (List<String>) js("return [...document.querySelectorAll('#doc-rows .doc-link')].map(a => a.textContent)");
    }

    /** Types a name into the document list's field and opens it. */
    void openByName(String name) {
        WebElement input = driver.findElement(By.id("doc-input"));
        input.sendKeys(name);
        input.submit();
    }

    /** Reloads the page, as the browser's reload button does. */
    void reload() {
        driver.navigate().refresh();
    }

    /** Whether a service worker controls the page (so it loads with the server down). */
    boolean offlineReady() {
        return Boolean.TRUE.equals(js("return !!(navigator.serviceWorker && navigator.serviceWorker.controller)"));
    }

    Path screenshot(Path file) {
        return browser.screenshot(file);
    }

    // ---- waiting -----------------------------------------------------------------------

    void waitUntilSynced() {
        waitUntil("connected and synchronised", this::synced);
    }

    /** Waits for a condition of this page, saying what the page showed if it never holds. */
    void waitUntil(String what, BooleanSupplier condition) {
        new WebDriverWait(driver, WAIT, Duration.ofMillis(50))
                .withMessage(() -> name + "'s window: " + what + " never held. " + describe())
                .until(d -> condition.getAsBoolean());
    }

    /** What this window shows, for failure messages. */
    String describe() {
        try {
            return "Text " + quote(text()) + ", badge " + quote(connectionText()) + ", client state "
                    + js("return window.coedit ? JSON.stringify({state: window.coedit.doc.state, unsent: window.coedit.doc.unsentEdits, "
                            + "version: window.coedit.doc.version, reloads: window.coedit.doc.reloads}) : 'not loaded'")
                    + ", console errors " + consoleErrors();
        } catch (RuntimeException e) {
            return "(the page could not be read: " + e.getMessage().lines().findFirst().orElse("") + ")";
        }
    }

    /** Errors the page logged to its console so far. */
    List<String> consoleErrors() {
        consoleErrors.addAll(browser.consoleErrors()); // reading the browser's log empties it
        return List.copyOf(consoleErrors);
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s.replace("\n", "\\n") + "\"";
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    @Override
    public void close() {
        browser.close();
    }
}
