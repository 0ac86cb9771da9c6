package io.promlite.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Matcher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kills an ingesting child JVM with SIGKILL and checks that every acknowledged commit survived. */
class CrashRecoveryTest {
    @TempDir
    Path tmp;

    @Test
    void everyAcknowledgedCommitSurvivesKill9() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path dir = tmp.resolve("data");
        Path childErr = tmp.resolve("child.err");
        long lastAck = 0;
        for (int round = 0; round < 2; round++) {
            // Two rounds: the second also recovers a store that was itself recovered from a crash.
            long target = lastAck + 400 + round * 137;
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    CrashWriter.class.getName(), dir.toString())
                    .redirectError(childErr.toFile())
                    .start();
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ack ")) {
                        lastAck = Long.parseLong(line.substring(4));
                        if (lastAck == target - 1) {
                            assertLockedByTheChild(dir);
                        }
                        if (lastAck >= target) {
                            child.destroyForcibly();
                            break;
                        }
                    }
                }
            } finally {
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            }
            assertTrue(lastAck >= target, "child stopped early at ack " + lastAck + ": " + Files.readString(childErr));
            lastAck = verify(dir, lastAck);
        }
    }

    private static void assertLockedByTheChild(Path dir) {
        TsdbException e = assertThrows(TsdbException.class, () -> Tsdb.open(TsdbOptions.defaults(dir)));
        assertEquals(TsdbException.Kind.LOCKED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("data directory " + dir + " is locked by another running promlite"),
                e.getMessage());
    }

    /** Asserts commits 1..acked are all present; returns the last commit present (acked or not). */
    private static long verify(Path dir, long acked) throws Exception {
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            Map<io.promlite.tsdb.model.Labels, List<TestData.Point>> result = TestData.select(db, 0, Long.MAX_VALUE,
                    Matcher.equal("__name__", "crash_test"));
            assertEquals(CrashWriter.SERIES, result.size());
            long present = -1;
            for (List<TestData.Point> points : result.values()) {
                assertTrue(points.size() >= acked, "only " + points.size() + " of " + acked + " acknowledged commits");
                for (int i = 0; i < points.size(); i++) {
                    long n = i + 1;
                    assertEquals(TestData.Point.of(n * CrashWriter.STEP_MS, n), points.get(i));
                }
                // A commit is atomic: every series has the same number of samples.
                if (present >= 0) {
                    assertEquals(present, points.size());
                }
                present = points.size();
            }
            return present;
        }
    }
}
