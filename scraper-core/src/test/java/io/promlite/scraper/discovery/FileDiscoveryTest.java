package io.promlite.scraper.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.promlite.config.FileSdConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDiscoveryTest {
    @TempDir
    Path dir;

    private FileDiscovery discovery(Duration refresh, String... files) {
        return new FileDiscovery(new FileSdConfig(List.of(files), refresh));
    }

    /** Rewrites a file and moves its modification time on, so the change is seen however coarse the clock. */
    private void write(Path file, String content, int generation) throws Exception {
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z").plusSeconds(generation)));
    }

    @Test
    void readsGlobbedYamlAndJsonFilesWithTheFilePathLabel() throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        write(a, "[{\"targets\": [\"a:1\", \"a:2\"], \"labels\": {\"env\": \"x\"}}]", 0);
        write(b, "[{\"targets\": [\"b:1\"]}]", 0);
        Files.writeString(dir.resolve("ignored.yml"), "- targets: ['c:1']\n");
        Path yml = dir.resolve("single.yml");
        write(yml, "- targets: ['d:1']\n", 0);

        List<TargetGroup> groups = discovery(Duration.ofMinutes(5), dir.resolve("*.json").toString(), yml.toString()).refresh();
        assertEquals(List.of(
                new TargetGroup(a + ":0", List.of(Map.of("__address__", "a:1"), Map.of("__address__", "a:2")),
                        Map.of("env", "x", "__meta_filepath", a.toString())),
                new TargetGroup(b + ":0", List.of(Map.of("__address__", "b:1")), Map.of("__meta_filepath", b.toString())),
                new TargetGroup(yml + ":0", List.of(Map.of("__address__", "d:1")), Map.of("__meta_filepath", yml.toString()))),
                groups);
    }

    @Test
    void followsChangesAndDeletionsAndKeepsTheLastGoodContentOfABrokenFile() throws Exception {
        Path f = dir.resolve("t.yml");
        write(f, "- targets: ['a:1']\n", 0);
        FileDiscovery d = discovery(Duration.ofMinutes(5), f.toString());
        assertEquals("a:1", d.refresh().get(0).targets().get(0).get("__address__"));

        write(f, "- targets: ['b:1']\n", 1);
        assertEquals("b:1", d.refresh().get(0).targets().get(0).get("__address__"));

        write(f, "- targets: ['b:1']\n  labels: {bad-name: x}\n", 2);
        assertEquals("b:1", d.refresh().get(0).targets().get(0).get("__address__"), "a broken file keeps its targets");

        Files.delete(f);
        assertEquals(List.of(), d.refresh());
    }

    @Test
    void checksAtLeastEveryFiveSeconds() {
        assertEquals(Duration.ofSeconds(5), discovery(Duration.ofMinutes(5), "x.yml").checkInterval());
        assertEquals(Duration.ofMillis(100), discovery(Duration.ofMillis(100), "x.yml").checkInterval());
    }
}
