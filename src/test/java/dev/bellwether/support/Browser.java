package dev.bellwether.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven through its {@code chromedriver} by Selenium, with a
 * profile of its own that lives as long as this object: IndexedDB, service workers and cookies survive reloads and
 * new tabs, as in a person's browser. Nothing is downloaded: without the two Debian packages the test fails with a
 * message saying how to install them ({@code .ci/run} does), it is never skipped.
 *
 * <pre>
 * try (Browser browser = Browser.start()) {
 *     browser.driver().get(site.url("/page.html"));
 *     Object result = browser.script("return document.title");
 * }
 * </pre>
 */
public final class Browser implements AutoCloseable {

    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("BELLWETHER_CHROMIUM", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("BELLWETHER_CHROMEDRIVER", "/usr/bin/chromedriver"));
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(30);

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    public static Browser start() throws IOException {
        for (Path needed : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(needed)) {
                throw new IllegalStateException(needed + " is missing: browser tests need Debian's chromium and chromium-driver"
                        + " (apt-get install chromium chromium-driver; .ci/run installs them)");
            }
        }
        Path profile = Files.createTempDirectory("bellwether-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(SCRIPT_TIMEOUT).pageLoadTimeout(SCRIPT_TIMEOUT);
        return new Browser(driver, profile);
    }

    public WebDriver driver() {
        return driver;
    }

    /** Runs a script in the current page and returns what it returns. */
    public Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    /**
     * Runs a script that ends by calling its last argument ({@code arguments[arguments.length - 1]}) with a result,
     * e.g. when a promise settles; bounded by the script timeout.
     */
    public Object asyncScript(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, arguments);
    }

    /** How long a page may take to show what a test waits for after a click. */
    public static final Duration PAGE_WAIT = Duration.ofSeconds(15);

    /**
     * Pages load after a click on their own time: poll, bounded by {@link #PAGE_WAIT}; fails with the page's source. An
     * element swapped out of the page while the condition reads it (live parts are) counts as not yet.
     */
    public static void await(java.util.function.BooleanSupplier condition, String what, WebDriver driver)
            throws InterruptedException {
        long deadline = System.nanoTime() + PAGE_WAIT.toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + PAGE_WAIT + "; at " + driver.getCurrentUrl() + ":\n"
                        + driver.getPageSource());
            }
            Thread.sleep(100);
        }
    }

    private static boolean holds(java.util.function.BooleanSupplier condition) {
        try {
            return condition.getAsBoolean();
        } catch (org.openqa.selenium.StaleElementReferenceException swappedOut) {
            return false;
        }
    }

    /** Picks an option of a select as a person does: click the select, then the option. */
    public static void choose(WebDriver driver, String select, String value) {
        driver.findElement(By.id(select)).click();
        driver.findElements(By.cssSelector("#" + select + " option")).stream()
                .filter(option -> value.equals(option.getAttribute("value"))).findFirst()
                .orElseThrow(() -> new AssertionError("no option " + value + " in #" + select)).click();
        String chosen = driver.findElement(By.id(select)).getAttribute("value");
        if (!value.equals(chosen)) {
            throw new AssertionError("#" + select + " shows " + chosen + " after choosing " + value);
        }
    }

    /** The widths every console page is shown at in screenshots: a laptop and a phone. */
    public static final List<Integer> SCREENSHOT_WIDTHS = List.of(1280, 390);

    /**
     * Saves the whole current page, as a person would see it at each of {@link #SCREENSHOT_WIDTHS}, to
     * {@code target/console/<name>-<width>.png}; the window's metrics are restored afterwards. Returns the files.
     */
    public List<Path> screenshots(String name) throws IOException {
        Path directory = Path.of("target", "console");
        Files.createDirectories(directory);
        List<Path> files = new java.util.ArrayList<>();
        try {
            for (int width : SCREENSHOT_WIDTHS) {
                driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                        java.util.Map.of("width", width, "height", 800, "deviceScaleFactor", 1, "mobile", width < 600));
                long height = ((Number) script("return Math.ceil(document.documentElement.scrollHeight)")).longValue();
                driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", java.util.Map.of("width", width,
                        "height", (int) Math.min(height, 8000), "deviceScaleFactor", 1, "mobile", width < 600));
                Path file = directory.resolve(name + "-" + width + ".png");
                Files.write(file, driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
                files.add(file);
            }
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", java.util.Map.of());
        }
        return files;
    }

    /** What the pages logged to the console since the last call: for failure messages. */
    public String consoleLog() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString)
                .collect(Collectors.joining("\n"));
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
