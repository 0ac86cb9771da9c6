package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * promlite.jvmoptions, the java launcher's argument file with promlite's JVM options: the build
 * puts it next to the jar, a JVM starts with it, and the README's run line uses it.
 */
class JvmOptionsTest {
    static final String FILE_NAME = "promlite.jvmoptions";
    private static final Path SOURCE = Path.of("src/main/jvm", FILE_NAME);
    private static final Path BUILT = Path.of("target", FILE_NAME);
    private static final String IGNORE_UNRECOGNIZED = "-XX:+IgnoreUnrecognizedVMOptions";

    @Test
    void buildCopiesTheOptionsFileNextToTheJar() throws IOException {
        assertTrue(Files.isRegularFile(BUILT), BUILT + " exists after process-resources");
        assertEquals(Files.readString(SOURCE), Files.readString(BUILT));
    }

    @Test
    void everyOptionIsAJvmOptionOrSystemProperty() throws IOException {
        List<String> options = options();
        assertTrue(options.contains("-XX:+UseSerialGC"), options.toString());
        assertTrue(options.contains(IGNORE_UNRECOGNIZED), options.toString());
        assertTrue(options.stream().allMatch(o -> o.startsWith("-X") || o.startsWith("-D")),
                "JVM options and system properties only, one a line: " + options);
    }

    /**
     * Netty's leak detector does not sample buffers in a JVM started with the file: a sampled
     * buffer's wrapper class made C2 recompile Netty's compiled pipeline code minutes after start.
     */
    @Test
    void nettyLeakDetectionIsOff() throws IOException, InterruptedException {
        String settings = javaWithTheFile("-XshowSettings:properties", "-version");
        assertTrue(settings.lines().anyMatch(l -> l.strip().equals("io.netty.leakDetection.level = disabled")),
                "the JVM reports the property");
    }

    /**
     * The file lets the JVM ignore options it does not know, so an older JDK still starts; that
     * would hide a misspelt or removed option too. So every option is started without that one:
     * those before it must be known to any JDK 17; those after it (newer than 17.0.0) are checked
     * when this JVM lists them, which the build's JDK 17.0.9+ does.
     */
    @Test
    void theJvmKnowsEveryOption() throws IOException, InterruptedException {
        List<String> options = options();
        int ignore = options.indexOf(IGNORE_UNRECOGNIZED);
        assertTrue(ignore >= 0, "the options file marks its newer options ignorable");
        String knownFlags = java(List.of("-XX:+PrintFlagsFinal", "-version"));
        List<String> checked = new ArrayList<>(options.subList(0, ignore));
        options.subList(ignore + 1, options.size()).stream()
                .filter(o -> knownFlags.contains(" " + flagName(o) + " "))
                .forEach(checked::add);
        checked.add("-version");
        java(checked);
    }

    /**
     * The young generation's cap holds whatever the machine's size: a JVM started with the file
     * reports it as its maximum young size.
     */
    @Test
    void theYoungGenerationIsCapped() throws IOException, InterruptedException {
        String flags = javaWithTheFile("-XX:+PrintFlagsFinal", "-version");
        assertTrue(hasFlag(flags, "size_t MaxNewSize", 33554432),
                "MaxNewSize is 32 MB");
    }

    /**
     * Two compiler threads whatever the core count: a JVM started with the file on a 16-core
     * machine (as {@code -XX:ActiveProcessorCount} makes it believe) still reports two.
     */
    @Test
    void theCompilerThreadsDoNotGrowWithCores() throws IOException, InterruptedException {
        String flags = javaWithTheFile("-XX:ActiveProcessorCount=16", "-XX:+PrintFlagsFinal", "-version");
        assertTrue(hasFlag(flags, "intx CICompilerCount", 2),
                "CICompilerCount is 2 with 16 cores");
    }

    /**
     * Code that runs once per scrape (20 calls a second with 100 targets at 5 s) reaches C2 after
     * a few hundred calls: C1 code asks whether to move up a tier every 256 calls instead of every
     * 1024 (2048 from level 2), so 600 calls compile {@link JitProbe#perScrape} at level 4 with the
     * file, and not with those two options back at the JVM's defaults.
     */
    @Test
    void perScrapeCodeReachesC2AfterAFewHundredCalls() throws IOException, InterruptedException {
        String perScrape = "io.promlite.app.JitProbe::perScrape";
        String withTheFile = probe(List.of("-XX:-UseOnStackReplacement"), "calls", 600);
        assertTrue(compiledAt(withTheFile, perScrape, 4, false), withTheFile);
        String withDefaults = probe(List.of("-XX:-UseOnStackReplacement",
                "-XX:Tier2InvokeNotifyFreqLog=11", "-XX:Tier3InvokeNotifyFreqLog=10"), "calls", 600);
        assertTrue(compiledAt(withDefaults, perScrape, 3, false), withDefaults);
        assertFalse(compiledAt(withDefaults, perScrape, 4, false), withDefaults);
    }

    /**
     * A loop entered once and never left, like Netty's event loop or an executor thread's worker
     * loop, is compiled on-stack after a few hundred iterations: with the JVM's defaults it would
     * run interpreted for 60000.
     */
    @Test
    void aLoopEnteredOnceIsCompiledOnStack() throws IOException, InterruptedException {
        String eventLoop = "io.promlite.app.JitProbe::eventLoop";
        String withTheFile = probe(List.of(), "loop", 600);
        assertTrue(compiledAt(withTheFile, eventLoop, 3, true), withTheFile);
        String withDefaults = probe(List.of("-XX:Tier0BackedgeNotifyFreqLog=10", "-XX:Tier3BackEdgeThreshold=60000"),
                "loop", 600);
        assertFalse(withDefaults.lines().anyMatch(l -> l.contains(eventLoop)), withDefaults);
    }

    /** The monitor deflation thread checks once a second rather than four times. */
    @Test
    void monitorDeflationChecksOnceASecond() throws IOException, InterruptedException {
        String flags = javaWithTheFile("-XX:+PrintFlagsFinal", "-version");
        assertTrue(hasFlag(flags, "intx AsyncDeflationInterval", 1000),
                "AsyncDeflationInterval is 1000 ms");
    }

    /**
     * The native heap is trimmed every 3 s, on JDKs that know the option (17.0.9 and later): every
     * second the trimming cost 2 % of promlite's CPU while scraping, for no measurable memory.
     */
    @Test
    void theNativeHeapIsTrimmedEveryThreeSeconds() throws IOException, InterruptedException {
        String flags = javaWithTheFile("-XX:+PrintFlagsFinal", "-version");
        if (flags.contains(" TrimNativeHeapInterval ")) {
            assertTrue(hasFlag(flags, "uint TrimNativeHeapInterval", 3000),
                    "TrimNativeHeapInterval is 3000 ms");
        }
    }

    /**
     * Runs {@link JitProbe} with the file's options, then {@code options}, with synchronous
     * compilation, and returns what {@code -XX:+PrintCompilation} printed.
     */
    private static String probe(List<String> options, String mode, int n) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(options());
        args.addAll(options);
        args.addAll(List.of("-Xbatch", "-XX:+PrintCompilation", "-cp", testClasses(), JitProbe.class.getName(),
                mode, Integer.toString(n)));
        return java(args);
    }

    /** Whether {@code -XX:+PrintFlagsFinal}'s output sets {@code flag} ("type Name") to {@code value}. */
    private static boolean hasFlag(String flags, String flag, long value) {
        return flags.lines().anyMatch(l -> l.matches("\\s*" + flag + "\\s+= " + value + "\\s.*"));
    }

    /** Whether PrintCompilation's output shows {@code method} compiled at {@code level} (on-stack if {@code osr}). */
    private static boolean compiledAt(String printCompilation, String method, int level, boolean osr) {
        String marks = osr ? "%\\s*b" : "b";
        return printCompilation.lines().anyMatch(l -> !l.contains("made not entrant")
                && l.matches("\\s*\\d+\\s+\\d+\\s+" + marks + "\\s+" + level + "\\s+" + Pattern.quote(method) + " .*"));
    }

    private static String testClasses() {
        try {
            return Path.of(JitProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String flagName(String option) {
        String name = option.substring("-XX:".length()).replaceFirst("^[+-]", "");
        int eq = name.indexOf('=');
        return eq < 0 ? name : name.substring(0, eq);
    }

    /** {@link #java} with the file's options, then {@code args}. */
    private static String javaWithTheFile(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(options());
        all.addAll(List.of(args));
        return java(all);
    }

    /** Runs this JVM's java with {@code args}; asserts it exits 0 and returns its output. */
    private static String java(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "java finished: " + command);
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    private static List<String> options() throws IOException {
        return Files.readAllLines(SOURCE).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    /**
     * The README runs an agent with {@code -Xms16m} after the file: the later option wins, so the
     * heap floor that serves query bursts is gone where no query is answered.
     */
    @Test
    void anAgentLowersTheHeapFloorAfterTheFile() throws IOException, InterruptedException {
        String readme = Files.readString(StackFiles.REPO.resolve("README.md"));
        assertTrue(readme.contains("java @http-api/target/" + FILE_NAME + " -Xms16m -jar http-api/target/promlite.jar --agent"),
                "README's agent line lowers the heap floor");
        String flags = javaWithTheFile("-Xms16m", "-XX:+PrintFlagsFinal", "-version");
        assertTrue(hasFlag(flags, "size_t MinHeapSize", 16777216),
                "MinHeapSize is 16 MB");
    }

    @Test
    void readmeRunsTheJarWithTheOptionsFile() throws IOException {
        String readme = Files.readString(StackFiles.REPO.resolve("README.md"));
        assertTrue(readme.contains("java @http-api/target/" + FILE_NAME + " -jar http-api/target/promlite.jar"),
                "README's run line uses the options file");
    }
}
