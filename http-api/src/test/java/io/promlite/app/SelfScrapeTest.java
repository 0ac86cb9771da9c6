package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.promlite.app.ApiClient.Element;
import io.promlite.web.ListenAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a config file the server scrapes its own /metrics, as the README promises. */
class SelfScrapeTest {
    @TempDir
    Path tmp;

    @Test
    void embeddedDefaultScrapesItself() throws Exception {
        ServerSettings settings = ServerSettings.defaults(null, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"));
        try (Promlite server = Promlite.start(settings, Promlite.loadConfig(settings))) {
            ApiClient api = new ApiClient(server.port());
            String self = "127.0.0.1:" + server.port();
            // Two 15s intervals at most, as for Prometheus's first scrape of a target.
            long deadline = System.nanoTime() + Duration.ofSeconds(35).toNanos();
            List<Element> up = api.vector("up");
            while (up.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
                up = api.vector("up");
            }
            assertEquals(1, up.size(), "up after two scrape intervals: " + up);
            assertEquals(Map.of("__name__", "up", "instance", self, "job", "promlite"), up.get(0).metric());
            assertEquals("1", up.get(0).value());
            assertFalse(api.vector("jvm_memory_used_bytes{job=\"promlite\"}").isEmpty(),
                    "promlite's own JVM metrics were scraped");
        }
    }
}
