package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * promlite.jvmoptions, the java launcher's argument file with promlite's JVM options: the build
 * puts it next to the jar, a JVM starts with it, and the README's run line uses it.
 */
class JvmOptionsTest {
    static final String FILE_NAME = "promlite.jvmoptions";
    private static final Path SOURCE = Path.of("src/main/jvm", FILE_NAME);
    private static final Path BUILT = Path.of("target", FILE_NAME);

    @Test
    void buildCopiesTheOptionsFileNextToTheJar() throws IOException {
        assertTrue(Files.isRegularFile(BUILT), BUILT + " exists after process-resources");
        assertEquals(Files.readString(SOURCE), Files.readString(BUILT));
    }

    @Test
    void everyOptionIsAJvmOption() throws IOException {
        List<String> options = Files.readAllLines(SOURCE).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertTrue(options.contains("-XX:+UseSerialGC"), options.toString());
        assertTrue(options.stream().allMatch(o -> o.startsWith("-X")), "JVM options only, one a line: " + options);
    }

    /** A misspelt or removed -XX option stops the JVM before promlite starts: this JVM must accept them all. */
    @Test
    void theJvmStartsWithTheOptionsFile() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "@" + SOURCE, "-version").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "java -version finished");
        assertEquals(0, p.exitValue(), output);
    }

    @Test
    void readmeRunsTheJarWithTheOptionsFile() throws IOException {
        String readme = Files.readString(StackFiles.REPO.resolve("README.md"));
        assertTrue(readme.contains("java @http-api/target/" + FILE_NAME + " -jar http-api/target/promlite.jar"),
                "README's run line uses the options file");
    }
}
