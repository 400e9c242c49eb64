package io.coedit.web;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Debian's chromium, headless, driven through Debian's chromedriver: one browser with a
 * profile of its own, so two instances are two people who share nothing (storage, service
 * workers).
 *
 * <p>Nothing is downloaded: the driver executable and the browser binary are given to
 * Selenium explicitly, so Selenium Manager never looks for them on the internet.
 *
 * <p>Where they are missing, {@link #assumeInstalled()} skips the calling test with a loud
 * message; when the environment variable {@code CI} is set, it fails it instead, because a
 * CI run that skipped its browser tests would prove nothing ({@code .ci/run} installs them).
 */
public final class HeadlessChromium implements AutoCloseable {
    /** The browser; {@code -Dcoedit.chromium=...} to use another. */
    public static final Path BROWSER = Path.of(System.getProperty("coedit.chromium", "/usr/bin/chromium"));
    /** The driver matching it; {@code -Dcoedit.chromedriver=...} to use another. */
    public static final Path DRIVER = Path.of(System.getProperty("coedit.chromedriver", "/usr/bin/chromedriver"));

    private static final List<String> FLAGS = List.of(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-default-apps", "--disable-extensions", "--window-size=1280,800", "--lang=en-US");

    /** Selenium warns that it has no DevTools bindings for this Chromium's version; no test uses them. */
    private static final Logger SELENIUM_LOG = Logger.getLogger("org.openqa.selenium");

    static {
        SELENIUM_LOG.setLevel(Level.SEVERE);
    }

    private final ChromeDriver driver;
    private final Path profile;

    private HeadlessChromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Whether the browser and the driver are installed. */
    public static boolean installed() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    }

    /**
     * Returns if the browser can be started; otherwise skips the test, or fails it when the
     * environment variable CI is set.
     */
    public static void assumeInstalled() {
        if (installed()) {
            return;
        }
        String message = "BROWSER TESTS NOT RUN: " + BROWSER + " or " + DRIVER + " is missing. Install Debian's "
                + "chromium and chromium-driver (apt-get install chromium chromium-driver) to run them.";
        if (System.getenv("CI") != null) {
            fail(message + " CI is set, so this is a failure, not a skip.");
        }
        System.err.println();
        System.err.println("*".repeat(100));
        System.err.println("*** " + message);
        System.err.println("*".repeat(100));
        System.err.println();
        Assumptions.abort(message);
    }

    /** Starts a browser with a fresh profile; skips (or fails under CI) if there is none. */
    public static HeadlessChromium start() {
        assumeInstalled();
        Path profile;
        try {
            profile = Files.createTempDirectory("coedit-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments(FLAGS);
        options.addArguments("--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withLogOutput(OutputStream.nullOutputStream())
                .build();
        return new HeadlessChromium(new ChromeDriver(service, options), profile);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Console messages logged as errors since the last call (uncaught exceptions included). */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    /** Writes a PNG of the window to {@code file} (folders created) and returns it. */
    public Path screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary folder left behind is no failure
            }
        }
    }
}
