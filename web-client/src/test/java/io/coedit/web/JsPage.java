package io.coedit.web;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.net.URI;
import java.time.Duration;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Runs a test page in the browser and reads the results it leaves in a global variable. */
final class JsPage {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private JsPage() {}

    /**
     * Loads {@code page}, waits until it sets {@code window[resultVariable]} (or
     * {@code window[errorVariable]}, which fails the test) and returns the results.
     */
    static JsonArray results(HeadlessChromium browser, URI page, String resultVariable, String errorVariable) {
        ChromeDriver driver = browser.driver();
        driver.get(page.toString());
        new WebDriverWait(driver, TIMEOUT)
                .withMessage(() -> page + " set neither window." + resultVariable + " nor window." + errorVariable
                        + "; the console said: " + browser.consoleErrors())
                .until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                        "return window[arguments[0]] !== undefined || window[arguments[1]] !== undefined",
                        resultVariable, errorVariable));
        Object error = driver.executeScript("return window[arguments[0]] === undefined ? null : String(window[arguments[0]])",
                errorVariable);
        if (error != null) {
            throw new AssertionError(page + " failed: " + error);
        }
        String json = (String) driver.executeScript("return JSON.stringify(window[arguments[0]])", resultVariable);
        return JsonParser.parseString(json).getAsJsonArray();
    }
}
