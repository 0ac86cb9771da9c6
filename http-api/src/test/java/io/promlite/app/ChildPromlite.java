package io.promlite.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** promlite's real entry point in a child JVM with the test's class path, its output in files in a directory. */
final class ChildPromlite implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;

    private ChildPromlite(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Starts {@link Main} in {@code dir} with {@code jvmOptions} and the command-line {@code args}. */
    static ChildPromlite start(Path dir, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        return new ChildPromlite(p, out, err);
    }

    Process process() {
        return process;
    }

    String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** What the child logged (its standard error). */
    String log() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** Waits up to 30 s for the log to contain {@code line}. */
    void awaitLog(String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!log().contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + line + "\" in the log:\n" + log());
            }
            Thread.sleep(100);
        }
    }

    /** Stops the child as a SIGTERM would and waits up to 20 s for it to exit. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
    }
}
